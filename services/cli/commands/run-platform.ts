/** What `switchyard run` does: read the settings and manifests, check them, start, stop on a signal. */
import { readFileSync } from 'node:fs';
import { LOG_LEVELS } from '../../../schemas/log-levels.ts';
import type { SecretSource } from '../../../schemas/webhooksource.schema.ts';
import { DEFAULT_STORE, parseStoreUrl } from '../../broker/store-url.ts';
import { DEFAULT_URL_TEMPLATE } from '../../dispatcher/destinations.ts';
import { SwitchyardError } from '../../errors.ts';
import { ConfigProblemsError } from '../../manifests/config-problem.ts';
import { loadManifests } from '../../manifests/load-manifests.ts';
import { type PlatformSettings, loadPlatformConfig } from '../../manifests/load-platform-config.ts';
import { formatPath } from '../../manifests/manifest-source.ts';
import { compileConfig, declaredTriggers } from '../../manifests/runtime-config.ts';
import { readSecret, SecretUnavailableError, tokensOf } from '../../secrets/read-secret.ts';
import { destinationFindings, secretProblems } from '../../manifests/runtime-checks.ts';
import { DEFAULT_BODY_LIMIT, DEFAULT_MAX_CONNECTIONS, DEFAULT_REQUEST_TIMEOUT_MS, startPlatform } from '../../platform.ts';
import { consoleOutput, type OptionValues } from '../command.ts';
import { refuseProblems, printWarnings } from '../config-report.ts';
import { durationOption, integerOption, sizeOption, stringList, stringOption } from '../option-values.ts';

/** The --config file's settings; its problems are printed and stop the command. */
function readSettings(file: string | undefined): PlatformSettings {
  if (file === undefined) return { services: new Map() };
  const loaded = loadPlatformConfig(file);
  if (loaded.settings === undefined) refuseProblems(loaded.problems, `in ${file}; nothing was started`);
  return loaded.settings;
}

/** Shorter tokens are guessable: refused, saying where the short one is. */
const MIN_TOKEN_LENGTH = 16;

/** A role's tokens: from its flag's files, its environment variable and the configuration file's secrets. */
function tokensFor(role: 'admin' | 'read', files: readonly string[], configured: readonly SecretSource[] | undefined, folder: string | undefined): string[] {
  const tokens: Array<{ token: string; from: string }> = [];
  const take = (text: string, from: string) => tokens.push(...tokensOf(text).map((token) => ({ token, from })));
  for (const file of files) {
    try {
      take(readFileSync(file, 'utf8'), `--${role}-token-file ${file}`);
    } catch (error) {
      throw new SwitchyardError('SWY_USAGE', `--${role}-token-file ${file} cannot be read: ${(error as Error).message}`);
    }
  }
  const variable = role === 'admin' ? 'SWITCHYARD_ADMIN_TOKEN' : 'SWITCHYARD_READ_TOKEN';
  const fromEnv = process.env[variable];
  if (fromEnv !== undefined && fromEnv !== '') take(fromEnv, variable);
  (configured ?? []).forEach((secret, i) => {
    const path = ['spec', 'auth', `${role}Tokens`, i];
    try {
      take(readSecret(secret, path, folder ?? '.'), formatPath(path));
    } catch (error) {
      throw new SwitchyardError('SWY_CONFIG_INVALID', `${formatPath(error instanceof SecretUnavailableError ? error.path : path)}: ${(error as Error).message}`);
    }
  });
  const short = tokens.find(({ token }) => token.length < MIN_TOKEN_LENGTH);
  if (short !== undefined) throw new SwitchyardError('SWY_USAGE', `a token from ${short.from} is shorter than ${MIN_TOKEN_LENGTH} characters (expected a long random one, like openssl rand -hex 32 makes)`);
  return tokens.map(({ token }) => token);
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The signals that stop the platform: Ctrl-C, a service manager's stop, a closed terminal. */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * `npm start` and `npx switchyard run` start the platform through `sh -c`; npm passes a SIGTERM
 * on to that shell only, which dies without passing it on, and the platform would stay behind
 * holding the port. Started by npm (npm sets npm_command), the platform therefore also stops
 * when its parent process is gone. Started any other way (a service manager, nohup), it does not.
 */
function watchParent(stop: (why: string) => void): void {
  if (process.env['npm_command'] === undefined) return;
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    stop(`the parent process ${parent} exited`);
  }, 500);
  timer.unref();
}

export async function runPlatform(values: OptionValues): Promise<number> {
  const files = stringList(values, 'file');
  if (files.length === 0) throw new SwitchyardError('SWY_USAGE', '-f PATH is required (expected a manifest file or folder)');
  const settings = readSettings(stringOption(values, 'config'));
  const logLevel = stringOption(values, 'log-level') ?? settings.logLevel ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) throw new SwitchyardError('SWY_USAGE', `--log-level ${logLevel} is not a level (expected one of ${LOG_LEVELS.join(', ')})`);
  const port = integerOption(values, 'port', 0, 65535) ?? settings.port ?? 8080;
  const host = stringOption(values, 'host') ?? settings.host ?? '127.0.0.1';
  const store = stringOption(values, 'store') ?? settings.store ?? DEFAULT_STORE;
  const bodyLimit = sizeOption(values, 'body-limit') ?? settings.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const requestTimeoutMs = durationOption(values, 'request-timeout') ?? settings.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const maxConnections = integerOption(values, 'max-connections', 1, 1_000_000) ?? settings.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  const urlTemplate = stringOption(values, 'url-template') ?? settings.urlTemplate ?? DEFAULT_URL_TEMPLATE;
  if (!urlTemplate.includes('{name}')) throw new SwitchyardError('SWY_USAGE', `--url-template ${urlTemplate} has no {name} (expected like ${DEFAULT_URL_TEMPLATE})`);
  const destinationOverrides = new Map<string, string>(settings.services);
  for (const entry of stringList(values, 'service-url')) {
    const eq = entry.indexOf('=');
    const url = entry.slice(eq + 1);
    if (eq <= 0 || !/^https?:\/\/[^/]/.test(url)) throw new SwitchyardError('SWY_USAGE', `--service-url ${entry} is not REF=URL (like my-service=http://localhost:9000)`);
    destinationOverrides.set(entry.slice(0, eq), url);
  }
  const location = parseStoreUrl(store);
  const adminTokens = tokensFor('admin', stringList(values, 'admin-token-file'), settings.adminTokens, settings.folder);
  const readTokens = tokensFor('read', stringList(values, 'read-token-file'), settings.readTokens, settings.folder);
  if (adminTokens.length === 0 && !isLoopback(host) && values['insecure'] !== true) {
    throw new SwitchyardError(
      'SWY_INSECURE_LISTEN',
      `--host ${host} would let anyone who reaches the port redrive and purge: no admin token is configured (expected --admin-token-file FILE, SWITCHYARD_ADMIN_TOKEN or spec.auth.adminTokens in --config; or --insecure to run open anyway)`,
    );
  }
  const redriveHosts = stringList(values, 'redrive-host');
  // Listening from the start: a signal that comes while the platform starts (or the instant it
  // is ready) stops it once it has started, instead of killing it half-way. After the first
  // signal the default action is back, so a second one ends the process at once.
  const stopRequested = new Promise<string>((resolve) => {
    for (const name of STOP_SIGNALS) process.once(name, () => resolve(name));
    watchParent(resolve);
  });

  const loaded = loadManifests(files);
  printWarnings(loaded.warnings);
  if (loaded.problems.length > 0) refuseProblems(loaded.problems, 'in the manifests; nothing was started');
  const config = compileConfig(loaded);
  // What validate reports beyond the manifests, refused the same way before anything starts.
  const destinations = destinationFindings(config, { urlTemplate, overrides: destinationOverrides, baseUrl: () => '' });
  printWarnings(destinations.warnings);
  const secretsDir = stringOption(values, 'secrets-dir');
  const problems = [...destinations.problems, ...secretProblems(config, secretsDir)];
  if (problems.length > 0) refuseProblems(problems, 'in the manifests; nothing was started');

  let platform;
  try {
    platform = await startPlatform(config, {
      host,
      port,
      store,
      logLevel,
      bodyLimit,
      requestTimeoutMs,
      maxConnections,
      urlTemplate,
      ...(secretsDir === undefined ? {} : { secretsDir }),
      destinationOverrides,
      adminTokens,
      readTokens,
      redriveHosts: redriveHosts.length > 0 ? redriveHosts : settings.redriveHosts,
    });
  } catch (error) {
    if (error instanceof ConfigProblemsError) refuseProblems(error.problems, 'in the manifests; nothing was started');
    throw error;
  }
  // One write, so that whoever waits for the ready line also has the addresses.
  const ready = [`Switchyard is ready on ${platform.url} (store ${location.engine === 'redis' ? location.display : store})`];
  if (![...config.brokers.values()].some((b) => b.internal !== true || b.path !== undefined)) ready.push('  no brokers are declared: add a Broker manifest to publish events');
  for (const broker of config.brokers.values()) if (broker.internal !== true) ready.push(`  Broker ${broker.key}  ${platform.url}/${broker.key}`);
  for (const trigger of declaredTriggers(config)) ready.push(`  Trigger ${trigger.key} on broker ${trigger.broker}`);
  for (const flow of config.flows) ready.push(flow.path === undefined ? `  ${flow.kind} ${flow.key}` : `  ${flow.kind} ${flow.key}  ${platform.url}${flow.path}`);
  for (const ping of config.pingSources) ready.push(`  PingSource ${ping.key}: ${ping.schedule.description}`);
  for (const kafka of config.kafkaSources) ready.push(`  KafkaSource ${kafka.key}: topics ${kafka.topics.join(', ')} on ${kafka.bootstrapServers.join(',')} (consumer group ${kafka.groupId})`);
  for (const sink of config.kafkaSinks.values()) ready.push(`  KafkaSink ${sink.key}  ${platform.url}/kafka-sinks/${sink.key} → topic ${sink.topic}`);
  for (const webhook of config.webhookSources) ready.push(`  WebhookSource ${webhook.key}  ${platform.url}/webhooks/${webhook.key}`);
  consoleOutput.out(ready.join('\n'));

  const reason = await stopRequested;
  for (const name of STOP_SIGNALS) process.removeAllListeners(name);
  platform.logger.info({ signal: reason }, 'stopping');
  try {
    await platform.close();
    return 0;
  } catch (error) {
    consoleOutput.err(`error while stopping: ${(error as Error).message}`);
    return 1;
  }
}
