/** `GET /healthz`: the process answers. `GET /readyz`: it can accept events (the store is usable). */
import type { FastifyInstance } from 'fastify';
import type { EventLog } from '../broker/event-log.ts';
import { errorTable } from '../errors.ts';

export async function healthRoutes(app: FastifyInstance, options: { readonly log: EventLog }): Promise<void> {
  app.get('/healthz', async () => ({ status: 'alive' }));
  app.get('/readyz', async (_request, reply) => {
    const health = options.log.health();
    if (health.ready) return health.warnings === undefined ? { status: 'ready' } : { status: 'ready', warnings: health.warnings };
    reply.code(503).header('Retry-After', String(errorTable.SWY_STORE_UNAVAILABLE.retryAfterSeconds));
    return { status: 'unavailable', reason: health.reason };
  });
}
