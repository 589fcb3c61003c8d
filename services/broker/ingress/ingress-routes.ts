/**
 * Broker ingress: `POST /<namespace>/<broker>`, lifecycle in docs/lifecycle.md; channels and flows
 * take events the same way at their paths (`POST /channels/<ns>/<name>`,
 * `/flows/<ns>/sequences/<name>`, `/flows/<ns>/parallels/<name>`).
 *
 *   request ─▶ broker known? ──no──▶ 404 SWY_BROKER_NOT_FOUND
 *                │ yes
 *                ▼
 *   token, when the broker has ingress tokens ──no──▶ 401 SWY_UNAUTHORIZED
 *                │
 *                ▼
 *   body ≤ limit? ──no──▶ 413 SWY_BODY_TOO_LARGE
 *                │
 *                ▼
 *   parse (binary | structured | batch) ──▶ 400 SWY_EVENT_MALFORMED / SWY_EVENT_INVALID, 415
 *                │
 *                ▼
 *   stamp arrival time, TTL ──▶ 400 SWY_TTL_EXHAUSTED
 *                │
 *                ▼
 *   append (group commit) ──▶ 429 SWY_OVERLOADED / 503 SWY_STORE_UNAVAILABLE (+ Retry-After)
 *                │
 *                ▼
 *              202
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { eventsFromHttp } from '../../cloudevents/http-binding.ts';
import { bearerToken, type TokenSet } from '../../access/access.ts';
import { SwitchyardError } from '../../errors.ts';
import type { BrokerKey } from '../event-log.ts';
import type { Publisher } from '../publisher.ts';
import { answerWebhookHandshake } from './webhook-handshake.ts';

export interface IngressOptions {
  readonly publisher: Publisher;
  /** Brokers served at `/<namespace>/<broker>` (the publisher also knows internal logs, which are not). */
  readonly brokers: ReadonlySet<BrokerKey>;
  readonly bodyLimit: number;
  /** Brokers that take events only with one of their tokens (Authorization: Bearer). */
  readonly tokens: ReadonlyMap<BrokerKey, TokenSet>;
  /** Channels and flows: path → the log it takes events into. */
  readonly paths: ReadonlyMap<string, BrokerKey>;
}

interface FlowParams {
  namespace: string;
  name: string;
}

/** The kinds served under a prefix, and how a missing one is named in a 404. */
const FLOW_ROUTES = [
  { url: '/channels/:namespace/:name', path: (p: FlowParams) => `/channels/${p.namespace}/${p.name}`, what: 'channel' },
  { url: '/flows/:namespace/sequences/:name', path: (p: FlowParams) => `/flows/${p.namespace}/sequences/${p.name}`, what: 'sequence' },
  { url: '/flows/:namespace/parallels/:name', path: (p: FlowParams) => `/flows/${p.namespace}/parallels/${p.name}`, what: 'parallel' },
] as const;

interface BrokerParams {
  namespace: string;
  broker: string;
}

const ALLOW = 'POST, OPTIONS';

export async function ingressRoutes(app: FastifyInstance, options: IngressOptions): Promise<void> {
  // Events are read as raw bytes whatever their content type: binary-mode data must reach sinks
  // byte for byte, and structured JSON is parsed by the binding, which knows the error to give.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: options.bodyLimit }, (_request, body, done) => done(null, body));

  const knownBroker = (params: BrokerParams): BrokerKey => {
    const key: BrokerKey = `${params.namespace}/${params.broker}`;
    if (!options.brokers.has(key)) {
      throw new SwitchyardError('SWY_BROKER_NOT_FOUND', `no broker ${key} is configured`, { broker: key });
    }
    return key;
  };

  app.post<{ Params: BrokerParams }>('/:namespace/:broker', async (request, reply) => {
    const key = knownBroker(request.params);
    const tokens = options.tokens.size === 0 ? undefined : options.tokens.get(key);
    if (tokens !== undefined) {
      const token = bearerToken(request.headers.authorization);
      if (token === undefined || !tokens.has(token)) throw new SwitchyardError('SWY_UNAUTHORIZED', `broker ${key} takes events only with one of its tokens (expected Authorization: Bearer TOKEN)`);
    }
    return accept(key, request, reply);
  });

  const accept = async (key: BrokerKey, request: FastifyRequest, reply: FastifyReply) => {
    const { events } = eventsFromHttp(request.headers, request.body as Buffer | undefined);
    await options.publisher.publish(key, events);
    reply.code(202);
    return events.length === 1 ? '' : { accepted: events.length };
  };

  for (const route of FLOW_ROUTES) {
    const knownFlow = (params: FlowParams): BrokerKey => {
      const log = options.paths.get(route.path(params));
      if (log === undefined) {
        const served = [...options.paths.keys()].filter((path) => path.startsWith(route.url.slice(0, route.url.indexOf(':')))).sort();
        throw new SwitchyardError('SWY_BROKER_NOT_FOUND', `no ${route.what} ${params.namespace}/${params.name} is configured (expected one of: ${served.join(', ') || 'none'})`, { broker: `${params.namespace}/${params.name}` });
      }
      return log;
    };
    app.post<{ Params: FlowParams }>(route.url, async (request, reply) => accept(knownFlow(request.params), request, reply));
    app.options<{ Params: FlowParams }>(route.url, async (request, reply) => {
      knownFlow(request.params);
      return answerWebhookHandshake(request, reply, ALLOW);
    });
  }

  app.options<{ Params: BrokerParams }>('/:namespace/:broker', async (request: FastifyRequest<{ Params: BrokerParams }>, reply: FastifyReply) => {
    knownBroker(request.params);
    return answerWebhookHandshake(request, reply, ALLOW);
  });

  app.route<{ Params: BrokerParams }>({
    method: ['GET', 'PUT', 'DELETE', 'PATCH'],
    url: '/:namespace/:broker',
    handler: async (request, reply) => {
      // A path that is no broker is not found, whatever the method (GET /api/v2, say).
      if (!options.brokers.has(`${request.params.namespace}/${request.params.broker}`)) return reply.callNotFound();
      reply.header('Allow', ALLOW);
      throw new SwitchyardError('SWY_METHOD_NOT_ALLOWED', `${request.method} is not allowed on a broker; publish events with POST`, {
        allow: ALLOW,
      });
    },
  });
}
