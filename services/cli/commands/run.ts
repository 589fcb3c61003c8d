import { DEFAULT_STORE, parseStoreUrl } from '../../broker/store-url.ts';
import { SwitchyardError } from '../../errors.ts';
import { formatProblem } from '../../manifests/config-problem.ts';
import { loadManifests } from '../../manifests/load-manifests.ts';
import { compileConfig } from '../../manifests/runtime-config.ts';
import { DEFAULT_URL_TEMPLATE } from '../../dispatcher/destinations.ts';
import { DEFAULT_BODY_LIMIT, startPlatform } from '../../platform.ts';
import { type Command, consoleOutput } from '../command.ts';
import { integerOption, sizeOption, stringList, stringOption } from '../option-values.ts';
import { LOG_LEVELS } from '../../../schemas/platform-config.schema.ts';
import { type PlatformSettings, loadPlatformConfig } from '../../manifests/load-platform-config.ts';


export const runCommand: Command = {
  name: 'run',
  summary: 'Run the platform: brokers, ingress and the admin API',
  help: `Usage: switchyard run -f PATH [-f PATH ...] [--config FILE] [options]

Loads the manifests, opens the event store and serves every broker at
POST http://HOST:PORT/<namespace>/<broker>. Prints each broker's address when ready.
Stops cleanly on Ctrl-C (SIGINT) or SIGTERM; events already answered 202 are on disk.

Options:
  -f, --file PATH        a manifest file or folder of .yaml/.yml files (repeatable)
      --config FILE      a platform configuration file (kind PlatformConfig, see README) with
                         any of the settings below; a flag given here wins over the file
      --port N           port to listen on (default 8080; 0 picks a free one)
      --host HOST        address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)
      --store URL        event store (default ${DEFAULT_STORE})
                           sqlite:PATH                      durable commits (fsync per group)
                           sqlite:PATH?synchronous=normal   survives a killed process, not a power cut
                           redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]   the Redis engine (rediss:// for TLS):
                             several processes with the same manifests and Redis share the work;
                             durable as Redis is configured (appendonly yes, appendfsync always)
                             ?prefix=P        key prefix (default switchyard:), to share one Redis
                             &consumer=NAME   this process in each trigger's consumer group
                                              (default HOSTNAME:PID; keep it stable across restarts)
                             &claim-idle=MS   entries held this long by a process that stopped
                                              answering are taken over by another (default 30000)
      --body-limit SIZE  largest request body accepted (default 1MiB; e.g. 512KiB, 4MiB)
      --log-level LEVEL  ${LOG_LEVELS.join(', ')} (default info); logs are JSON on stderr
      --url-template T   how a subscriber ref to another kind (a Knative Service, say) becomes a URL;
                         {name} and {namespace} are replaced (default ${DEFAULT_URL_TEMPLATE})
      --service-url REF=URL
                         the URL of one ref, overriding the template (repeatable); REF is NAME,
                         NAMESPACE/NAME or KIND/NAMESPACE/NAME, e.g. --service-url my-service=http://localhost:9000
  -h, --help             show this help

Example:
  switchyard run -f examples/quickstart --port 8080`,
  options: {
    file: { type: 'string', short: 'f', multiple: true },
    port: { type: 'string' },
    host: { type: 'string' },
    store: { type: 'string' },
    'body-limit': { type: 'string' },
    'log-level': { type: 'string' },
    'url-template': { type: 'string' },
    'service-url': { type: 'string', multiple: true },
    config: { type: 'string' },
  },
  async run(values) {
    const files = stringList(values, 'file');
    if (files.length === 0) throw new SwitchyardError('SWY_USAGE', '-f PATH is required (expected a manifest file or folder)');
    const settings = readSettings(stringOption(values, 'config'));
    const logLevel = stringOption(values, 'log-level') ?? settings.logLevel ?? 'info';
    if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) throw new SwitchyardError('SWY_USAGE', `--log-level ${logLevel} is not a level (expected one of ${LOG_LEVELS.join(', ')})`);
    const port = integerOption(values, 'port', 0, 65535) ?? settings.port ?? 8080;
    const host = stringOption(values, 'host') ?? settings.host ?? '127.0.0.1';
    const store = stringOption(values, 'store') ?? settings.store ?? DEFAULT_STORE;
    const bodyLimit = sizeOption(values, 'body-limit') ?? settings.bodyLimit ?? DEFAULT_BODY_LIMIT;
    const urlTemplate = stringOption(values, 'url-template') ?? settings.urlTemplate ?? DEFAULT_URL_TEMPLATE;
    if (!urlTemplate.includes('{name}')) throw new SwitchyardError('SWY_USAGE', `--url-template ${urlTemplate} has no {name} (expected like ${DEFAULT_URL_TEMPLATE})`);
    const destinationOverrides = new Map<string, string>(settings.services);
    for (const entry of stringList(values, 'service-url')) {
      const eq = entry.indexOf('=');
      const url = entry.slice(eq + 1);
      if (eq <= 0 || !/^https?:\/\/[^/]/.test(url)) throw new SwitchyardError('SWY_USAGE', `--service-url ${entry} is not REF=URL (like my-service=http://localhost:9000)`);
      destinationOverrides.set(entry.slice(0, eq), url);
    }

    const loaded = loadManifests(files);
    for (const warning of loaded.warnings) consoleOutput.err(`warning: ${formatProblem(warning)}`);
    if (loaded.problems.length > 0) {
      for (const problem of loaded.problems) consoleOutput.err(formatProblem(problem));
      throw new SwitchyardError('SWY_CONFIG_INVALID', `${loaded.problems.length} problem${loaded.problems.length === 1 ? '' : 's'} in the manifests; nothing was started`);
    }
    const config = compileConfig(loaded);
    const platform = await startPlatform(config, { host, port, store, logLevel, bodyLimit, urlTemplate, destinationOverrides });
    // One write, so that whoever waits for the ready line also has the addresses.
    const location = parseStoreUrl(store);
    const ready = [`Switchyard is ready on ${platform.url} (store ${location.engine === 'redis' ? location.display : store})`];
    if (![...config.brokers.values()].some((b) => b.internal !== true)) ready.push('  no brokers are declared: add a Broker manifest to publish events');
    for (const broker of config.brokers.values()) if (broker.internal !== true) ready.push(`  Broker ${broker.key}  ${platform.url}/${broker.key}`);
    for (const trigger of config.triggers) if (!config.brokers.get(trigger.broker)?.internal) ready.push(`  Trigger ${trigger.key} on broker ${trigger.broker}`);
    for (const ping of config.pingSources) ready.push(`  PingSource ${ping.key}: ${ping.schedule.description}`);
    for (const webhook of config.webhookSources) ready.push(`  WebhookSource ${webhook.key}  ${platform.url}/webhooks/${webhook.key}`);
    consoleOutput.out(ready.join('\n'));

    return await new Promise<number>((resolve) => {
      const stop = (signal: string) => {
        platform.logger.info({ signal }, 'stopping');
        platform.close().then(
          () => resolve(0),
          (error: unknown) => {
            consoleOutput.err(`error while stopping: ${(error as Error).message}`);
            resolve(1);
          },
        );
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
  },
};

/** The --config file's settings; its problems are printed and stop the command. */
function readSettings(file: string | undefined): PlatformSettings {
  if (file === undefined) return { services: new Map() };
  const loaded = loadPlatformConfig(file);
  if (loaded.settings === undefined) {
    for (const problem of loaded.problems) consoleOutput.err(formatProblem(problem));
    throw new SwitchyardError('SWY_CONFIG_INVALID', `${loaded.problems.length} problem${loaded.problems.length === 1 ? '' : 's'} in ${file}; nothing was started`);
  }
  return loaded.settings;
}
