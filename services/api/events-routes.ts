/**
 * Admin API over the stored events.
 *   GET /api/v1/brokers                               the brokers and their addresses
 *   GET /api/v1/brokers/:namespace/:name/events       ?limit=N (newest N) | ?after=OFFSET&limit=N (paging, oldest first)
 *     :name may also be the log of a channel or a flow's step (`channel:orders`, `sequence:s:step-1`).
 * Events are returned in the JSON event format, with their offset and the time they were stored.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { eventToJson } from '../cloudevents/json-format.ts';
import { SwitchyardError } from '../errors.ts';
import type { BrokerKey, EventLog } from '../broker/event-log.ts';

const eventsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100_000).optional(),
  after: z.string().regex(/^[0-9A-Za-z-]+$/).optional(),
});

export interface EventsRoutesOptions {
  readonly log: EventLog;
  readonly brokers: ReadonlySet<BrokerKey>;
  /** The brokers, and the logs of channels and flows. */
  readonly listable: ReadonlySet<BrokerKey>;
  readonly baseUrl: () => string;
}

export async function eventsRoutes(app: FastifyInstance, options: EventsRoutesOptions): Promise<void> {
  // The admin API owns /api/v1: a path under it that is not one of its routes is a 404 here, not
  // a request to a broker named v1 in namespace api.
  app.all('/api/v1', async (_request, reply) => reply.callNotFound());
  app.all('/api/v1/*', async (_request, reply) => reply.callNotFound());

  app.get('/api/v1/brokers', async () => ({
    brokers: [...options.brokers].sort().map((key) => ({ broker: key, address: `${options.baseUrl()}/${key}` })),
  }));

  app.get<{ Params: { namespace: string; name: string } }>('/api/v1/brokers/:namespace/:name/events', async (request) => {
    const key = `${request.params.namespace}/${request.params.name}`;
    if (!options.listable.has(key)) {
      throw new SwitchyardError('SWY_BROKER_NOT_FOUND', `no broker ${key} is configured (expected one of: ${[...options.listable].sort().join(', ') || 'none'})`, { broker: key });
    }
    const query = eventsQuery.safeParse(request.query);
    if (!query.success) {
      const issue = query.error.issues[0];
      throw new SwitchyardError('SWY_BAD_REQUEST', `query parameter ${issue?.path.join('.') || '?'} is invalid: ${issue?.message ?? 'unknown'} (expected limit=1..100000 and after=an offset)`);
    }
    const entries = await options.log.list(key, query.data);
    return {
      broker: key,
      events: entries.map((entry) => ({ offset: entry.offset, storedAt: new Date(entry.appendedAt).toISOString(), event: eventToJson(entry.event) })),
    };
  });
}
