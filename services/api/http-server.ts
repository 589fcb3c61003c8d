/** The platform's one HTTP server: ingress, health and the admin API, with one error format. */
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import { formatSize } from '../../schemas/size.ts';
import { SwitchyardError } from '../errors.ts';
import type { BrokerKey, EventLog } from '../broker/event-log.ts';
import type { Publisher } from '../broker/publisher.ts';
import { ingressRoutes } from '../broker/ingress/ingress-routes.ts';
import type { DeadLetterService } from '../dispatcher/dead-letter-service.ts';
import { deadLetterRoutes } from './dead-letter-routes.ts';
import { eventsRoutes } from './events-routes.ts';
import type { AdminAccess, TokenSet } from '../access/access.ts';
import { answerClientError } from './client-errors.ts';
import { healthRoutes } from './health-routes.ts';
import type { KafkaSourceHealth } from '../../sources/kafka/kafka-source-health.ts';
import { routeNotFound } from './route-not-found.ts';
import { type ServedWebhook, webhookRoutes } from '../../sources/webhook/webhook-routes.ts';
import { kafkaSinkRoutes } from '../../sources/kafka/kafka-sink-routes.ts';
import type { KafkaSinks } from '../../sources/kafka/kafka-sinks.ts';

export interface HttpServerOptions {
  readonly log: EventLog;
  /** What each source is doing, for /readyz. */
  readonly sourceHealth: () => readonly KafkaSourceHealth[];
  /** WebhookSources served at POST /webhooks/<namespace>/<name>. */
  readonly webhooks: ReadonlyMap<string, ServedWebhook>;
  readonly brokers: ReadonlySet<BrokerKey>;
  /** Channels and flows: path → the log it takes events into. */
  readonly flowPaths: ReadonlyMap<string, BrokerKey>;
  /** Logs the events API lists: the brokers, and the channels of channels and flows. */
  readonly listable: ReadonlySet<BrokerKey>;
  readonly logger: Logger;
  readonly publisher: Publisher;
  readonly kafkaSinks: KafkaSinks;
  /** The KafkaSinks served at POST /kafka-sinks/<namespace>/<name>. */
  readonly kafkaSinkKeys: readonly string[];
  readonly deadLetters: DeadLetterService;
  readonly bodyLimit: number;
  /** Headers and body must have arrived within this; a stalled request's connection is closed. */
  readonly requestTimeoutMs: number;
  readonly maxConnections: number;
  readonly adminAccess: AdminAccess;
  /** Brokers that take events only with one of their tokens. */
  readonly ingressTokens: ReadonlyMap<BrokerKey, TokenSet>;
  readonly redriveHosts: readonly string[] | undefined;
  readonly baseUrl: () => string;
}

/** Headers must be in within this (or the request timeout, when shorter). */
const HEADERS_TIMEOUT_MS = 10_000;
/** How often Node looks for requests past their timeout (its default, 30 s, would let a stalled one live that much longer). */
const TIMEOUT_CHECK_MS = 1000;

function toSwitchyardError(error: FastifyError | SwitchyardError | Error, bodyLimit: number, log: EventLog): SwitchyardError {
  if (error instanceof SwitchyardError) return error;
  // An admin call that failed because the store cannot be reached (Redis away, a full disk) says
  // so, with Retry-After, like ingress: not an internal error.
  const health = log.health();
  if (!health.ready) return new SwitchyardError('SWY_STORE_UNAVAILABLE', `the store is unavailable: ${health.reason}`, undefined, { cause: error });
  const code = (error as FastifyError).code;
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new SwitchyardError('SWY_BODY_TOO_LARGE', `the request body is larger than the limit of ${formatSize(bodyLimit)} (--body-limit raises it)`, { limitBytes: bodyLimit });
  }
  const status = (error as FastifyError).statusCode;
  if (status !== undefined && status >= 400 && status < 500) return new SwitchyardError('SWY_BAD_REQUEST', error.message);
  return new SwitchyardError('SWY_INTERNAL', 'an unexpected error occurred; the platform log has the details', undefined, { cause: error });
}

export async function buildHttpServer(options: HttpServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    // A log line per request would cost more than the rest of ingress; failures are logged below.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit,
    // Idle keep-alive connections close after 65 s: longer than the 60 s idle timeout of common
    // load balancers, so the balancer, not the platform, closes first.
    keepAliveTimeout: 65_000,
    // A request that sends its headers and part of its body, then stalls, would hold a
    // connection for ever (5,000 such: 5,031 file descriptors and 54 MB): it gets this long.
    requestTimeout: options.requestTimeoutMs,
    http: { headersTimeout: Math.min(HEADERS_TIMEOUT_MS, options.requestTimeoutMs), connectionsCheckingInterval: TIMEOUT_CHECK_MS },
    // Knative's broker ingress takes POST /<ns>/<broker>/ as /<ns>/<broker>; so does every route here.
    routerOptions: { ignoreTrailingSlash: true },
    clientErrorHandler: answerClientError,
  });
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const failure = toSwitchyardError(error, options.bodyLimit, options.log);
    if (failure.code === 'SWY_INTERNAL') request.log.error({ err: error, url: request.url }, 'request failed');
    const retryAfter = failure.retryAfterSeconds;
    if (retryAfter !== undefined) reply.header('Retry-After', String(retryAfter));
    if (failure.code === 'SWY_BODY_TOO_LARGE') reply.header('Connection', 'close');
    if (failure.code === 'SWY_UNAUTHORIZED') reply.header('WWW-Authenticate', 'Bearer');
    reply.code(failure.status).send(failure.toBody());
  });
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send(routeNotFound(request.method, request.url).toBody());
  });
  // Past the bound, Node closes new connections as they arrive, before they cost a request.
  app.server.maxConnections = options.maxConnections;
  // The admin API: reading needs a read or admin token, the rest an admin token (access.ts).
  if (!options.adminAccess.open) {
    app.addHook('onRequest', async (request) => {
      if (!request.url.startsWith('/api/')) return;
      options.adminAccess.check(request.headers.authorization, request.method === 'GET' || request.method === 'HEAD' ? 'read' : 'admin');
    });
  }
  await app.register(healthRoutes, { log: options.log, sources: options.sourceHealth });
  await app.register(deadLetterRoutes, { service: options.deadLetters, redriveHosts: options.redriveHosts });
  await app.register(eventsRoutes, { log: options.log, brokers: options.brokers, listable: options.listable, baseUrl: options.baseUrl });
  await app.register(ingressRoutes, { publisher: options.publisher, brokers: options.brokers, bodyLimit: options.bodyLimit, tokens: options.ingressTokens, paths: options.flowPaths });
  await app.register(kafkaSinkRoutes, { sinks: options.kafkaSinks, served: options.kafkaSinkKeys, bodyLimit: options.bodyLimit });
  await app.register(webhookRoutes, { log: options.log, webhooks: options.webhooks, bodyLimit: options.bodyLimit });
  return app;
}
