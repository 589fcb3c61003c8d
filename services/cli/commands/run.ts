/**
 * `switchyard run`: its usage. The work is in run-platform.ts, imported only when the command
 * runs, so that `--help` does not load fastify, SQLite or the Redis client.
 */
import { LOG_LEVELS } from '../../../schemas/log-levels.ts';
import { DEFAULT_STORE } from '../../broker/store-url.ts';
import { DEFAULT_URL_TEMPLATE } from '../../dispatcher/destinations.ts';
import type { Command } from '../command.ts';

export const runCommand: Command = {
  name: 'run',
  summary: 'Run the platform: brokers, ingress and the admin API',
  help: `Usage: switchyard run -f PATH [-f PATH ...] [--config FILE] [options]

Loads the manifests, opens the event store and serves every broker at
POST http://HOST:PORT/<namespace>/<broker>. Prints each broker's address when ready.
Stops cleanly on Ctrl-C (SIGINT), SIGTERM or SIGHUP, whoever sends it: it logs "stopping", stops
taking events, finishes deliveries under way and closes the store. Events answered 202 are stored.

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
      --request-timeout DURATION
                         how long a request may take to arrive, headers (at most 10 s) and body;
                         a stalled one's connection is closed (default PT30S)
      --max-connections N
                         connections open at once; more are closed as they arrive (default 4096).
                         Idle keep-alive connections close after 65 s
      --log-level LEVEL  ${LOG_LEVELS.join(', ')} (default info); logs are JSON on stderr
      --admin-token-file FILE
                         bearer tokens (one a line) that may use all of the admin API: list, show,
                         redrive, purge (repeatable; also SWITCHYARD_ADMIN_TOKEN, spec.auth in --config)
      --read-token-file FILE
                         tokens that may only list and show (repeatable; also SWITCHYARD_READ_TOKEN).
                         With no token at all the admin API is open to whoever reaches the port
      --insecure         listen beyond this machine (--host 0.0.0.0) without admin tokens
      --redrive-host HOST
                         a host dlq redrive --to may send to (repeatable; *.example.com for
                         subdomains); without any, every host
      --url-template T   how a subscriber ref to another kind (a Knative Service, say) becomes a URL;
                         {name} and {namespace} are replaced (default ${DEFAULT_URL_TEMPLATE})
      --service-url REF=URL
                         the URL of one ref, overriding the template (repeatable); REF is NAME,
                         NAMESPACE/NAME or KIND/NAMESPACE/NAME, e.g. --service-url my-service=http://localhost:9000;
                         it also serves a uri written as http://NAME.NAMESPACE.svc.cluster.local/PATH
      --secrets-dir DIR  where a Knative secretKeyRef {name, key} (a KafkaSource's SASL and TLS) is
                         read: the file DIR/NAME/KEY (a Kubernetes secret volume's layout), else the
                         environment variable NAME_KEY upper-cased, - and . as _ (default ./secrets)
  -h, --help             show this help

Example:
  switchyard run -f examples/quickstart --port 8080`,
  options: {
    file: { type: 'string', short: 'f', multiple: true },
    port: { type: 'string' },
    host: { type: 'string' },
    store: { type: 'string' },
    'body-limit': { type: 'string' },
    'request-timeout': { type: 'string' },
    'max-connections': { type: 'string' },
    'admin-token-file': { type: 'string', multiple: true },
    'read-token-file': { type: 'string', multiple: true },
    insecure: { type: 'boolean' },
    'redrive-host': { type: 'string', multiple: true },
    'log-level': { type: 'string' },
    'url-template': { type: 'string' },
    'secrets-dir': { type: 'string' },
    'service-url': { type: 'string', multiple: true },
    config: { type: 'string' },
  },
  async run(values) {
    const { runPlatform } = await import('./run-platform.ts');
    return runPlatform(values);
  },
};
