/**
 * The composition root: the only place that wires the platform's parts together. `main` parses
 * arguments and calls startPlatform; tests call it directly.
 */
import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { buildHttpServer } from './api/http-server.ts';
import type { EventLog } from './broker/event-log.ts';
import { Publisher } from './broker/publisher.ts';
import { startRetention } from './broker/retention.ts';
import { parseStoreUrl } from './broker/store-url.ts';
import { DEFAULT_MAX_TTL } from './cloudevents/cloud-event.ts';
import { HttpSender } from './dispatcher/delivery/http-sender.ts';
import type { DeliveryStore } from './dispatcher/delivery-store.ts';
import { DEFAULT_URL_TEMPLATE } from './dispatcher/destinations.ts';
import { DeadLetterService } from './dispatcher/dead-letter-service.ts';
import { Dispatcher } from './dispatcher/dispatcher.ts';
import { SwitchyardError } from './errors.ts';
import { FunctionHost } from './functions/function-host.ts';
import { openStores } from './open-stores.ts';
import { deadLetterTriggers, type RuntimeConfig } from './manifests/runtime-config.ts';
import { resolveWebhooks } from '../sources/webhook/webhook-secrets.ts';
import { ConfigProblemsError } from './manifests/config-problem.ts';
import { destinationFindings } from './manifests/runtime-checks.ts';
import { AdminAccess, TokenSet } from './access/access.ts';
import { readIngressTokens } from './broker/ingress/ingress-tokens.ts';
import { kafkaConnections } from '../sources/kafka/kafka-credentials.ts';
import { KafkaSourceRunner } from '../sources/kafka/kafka-source.ts';
import { KafkaSinks } from '../sources/kafka/kafka-sinks.ts';
import { DEFAULT_SECRETS_DIR } from './secrets/secret-key-ref.ts';

export interface PlatformOptions {
  readonly host: string;
  readonly port: number;
  readonly store: string;
  readonly logLevel?: string;
  readonly bodyLimit?: number;
  readonly maxTtl?: number;
  readonly logger?: Logger;
  /** How long a request may take to arrive, headers and body, before its connection is closed (default 30 s). */
  readonly requestTimeoutMs?: number;
  /** Connections open at once; more are closed as they arrive (default 4096). */
  readonly maxConnections?: number;
  /** Bearer tokens of the admin API: admin (everything) and read (list, show). None: the API is open. */
  readonly adminTokens?: readonly string[];
  readonly readTokens?: readonly string[];
  /** The hosts `redrive --to` may send to; any when undefined. */
  readonly redriveHosts?: readonly string[] | undefined;
  /** Events waiting for a commit before ingress answers 429 (default 20,000). */
  readonly maxPendingEvents?: number;
  /** How `ref` destinations of other kinds become URLs (default the Kubernetes service address). */
  readonly urlTemplate?: string;
  /** `name`, `namespace/name` or `Kind/namespace/name` → base URL. */
  readonly destinationOverrides?: ReadonlyMap<string, string>;
  /** Where Knative `secretKeyRef`s are read from: `<dir>/<name>/<key>` (default ./secrets). */
  readonly secretsDir?: string;
}

export interface RunningPlatform {
  readonly url: string;
  readonly config: RuntimeConfig;
  readonly log: EventLog;
  readonly deliveryStore: DeliveryStore;
  readonly dispatcher: Dispatcher;
  readonly http: FastifyInstance;
  readonly logger: Logger;
  close(): Promise<void>;
}

export const DEFAULT_BODY_LIMIT = 1024 * 1024;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_CONNECTIONS = 4096;

export async function startPlatform(config: RuntimeConfig, options: PlatformOptions): Promise<RunningPlatform> {
  const logger = options.logger ?? pino({ level: options.logLevel ?? 'info' }, pino.destination(2));
  let url = '';
  const destinations = { urlTemplate: options.urlTemplate ?? DEFAULT_URL_TEMPLATE, overrides: options.destinationOverrides ?? new Map<string, string>(), baseUrl: () => url };
  // What the configuration asks that cannot be done is found before anything opens (runtime-checks.ts).
  const { served: webhooks, problems: secretProblems } = resolveWebhooks(config.webhookSources);
  const ingressTokens = readIngressTokens(config);
  const kafka = kafkaConnections(config.kafkaSources, config.kafkaSinks.values(), options.secretsDir ?? DEFAULT_SECRETS_DIR);
  const problems = [...destinationFindings(config, destinations).problems, ...secretProblems, ...ingressTokens.problems, ...kafka.problems];
  if (problems.length > 0) throw new ConfigProblemsError(problems);
  const location = parseStoreUrl(options.store);
  const { log, deliveryStore, pingScheduler } = await openStores(location, { maxPendingEvents: options.maxPendingEvents, logger });
  const closeStores = async () => {
    await deliveryStore.close();
    await log.close();
  };
  await log.registerBrokers([...config.brokers.keys()]);
  // Internal logs (a source's outbox, a channel, a flow's step) are not served at the broker
  // ingress; channels and flows are, at their own paths.
  const brokers = new Set([...config.brokers.values()].filter((b) => b.internal !== true).map((b) => b.key));
  const flowPaths = new Map([...config.brokers.values()].flatMap((b) => (b.path === undefined ? [] : [[b.path, b.key] as const])));
  const listable = new Set([...brokers, ...config.flows.flatMap((flow) => flow.channels.map((c) => c.log))]);
  const publisher = new Publisher(log, new Set(config.brokers.keys()), options.maxTtl ?? DEFAULT_MAX_TTL, logger);
  const sender = new HttpSender();
  const kafkaSinks = new KafkaSinks(config.kafkaSinks, kafka.sinkConnections, logger);
  const deadLetters = new DeadLetterService(deliveryStore, sender, {
    triggers: new Map(config.triggers.map((t) => [t.key, { broker: t.broker, label: t.label }])),
    brokers,
    declaredTriggers: deadLetterTriggers(config).map((t) => t.key),
  });

  const kafkaSources = config.kafkaSources.map((source) => new KafkaSourceRunner(source, kafka.connections.get(source.key) ?? {}, { log, store: deliveryStore, logger }));
  const http = await buildHttpServer({
    log,
    sourceHealth: () => kafkaSources.map((source) => source.health()),
    webhooks,
    brokers,
    flowPaths,
    listable,
    logger,
    publisher,
    kafkaSinks,
    kafkaSinkKeys: [...config.kafkaSinks.keys()].sort(),
    deadLetters,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    adminAccess: new AdminAccess(new TokenSet(options.adminTokens ?? []), new TokenSet(options.readTokens ?? [])),
    ingressTokens: new Map([...ingressTokens.tokens].map(([broker, tokens]) => [broker, new TokenSet(tokens)])),
    redriveHosts: options.redriveHosts,
    maxConnections: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
    baseUrl: () => url,
  });
  let dispatcher: Dispatcher;
  const functions = new FunctionHost(config.functions, logger);
  try {
    dispatcher = new Dispatcher(config, {
      functions,
      log,
      store: deliveryStore,
      sender,
      publisher,
      kafkaSinks,
      logger,
      destinations,
    });
    await functions.start();
  } catch (error) {
    await closeStores();
    throw error;
  }
  try {
    await http.listen({ host: options.host, port: options.port });
  } catch (error) {
    await functions.close();
    await closeStores();
    throw new SwitchyardError('SWY_LISTEN_FAILED', `cannot listen on ${options.host}:${options.port}: ${(error as Error).message}`, undefined, { cause: error });
  }
  const address = http.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  const host = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  await dispatcher.start();
  const pings = pingScheduler(config.pingSources, { log, logger });
  await pings.start();
  // Not awaited: a Kafka that cannot be reached yet must not hold up the rest; kafkajs keeps
  // trying, and says so in the log.
  for (const source of kafkaSources) void source.start().catch((error: unknown) => logger.error({ err: error }, 'a Kafka source failed to start'));
  const stopRetention = startRetention(log, config.brokers.values(), logger);
  let closing: Promise<void> | undefined;
  return {
    url,
    config,
    log,
    deliveryStore,
    dispatcher,
    http,
    logger,
    close() {
      closing ??= (async () => {
        stopRetention();
        await Promise.all(kafkaSources.map((source) => source.stop()));
        await pings.stop();
        await http.close();
        await dispatcher.stop();
        await functions.close();
        await sender.close();
        await kafkaSinks.close();
        await closeStores();
      })();
      return closing;
    },
  };
}
