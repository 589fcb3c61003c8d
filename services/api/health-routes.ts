/**
 * `GET /healthz`: the process answers. `GET /readyz`: it can accept events (the store is usable),
 * with what its sources are doing: a source that cannot reach its system (Kafka down) does not
 * stop the platform from accepting events, so it is a warning there, not a 503.
 */
import type { FastifyInstance } from 'fastify';
import type { EventLog } from '../broker/event-log.ts';
import { errorTable } from '../errors.ts';
import type { KafkaSourceHealth } from '../../sources/kafka/kafka-source-health.ts';

export interface HealthRouteOptions {
  readonly log: EventLog;
  readonly sources: () => readonly KafkaSourceHealth[];
}

function sourceWarning(source: KafkaSourceHealth): string | undefined {
  if (source.state === 'unavailable') return `${source.kind} ${source.source} cannot reach Kafka since ${source.since} (${source.reason ?? 'no reason given'}); it keeps trying`;
  if (source.state === 'paused') return `${source.kind} ${source.source} is paused since ${source.since}: ${source.reason ?? ''}`;
  return undefined;
}

export async function healthRoutes(app: FastifyInstance, options: HealthRouteOptions): Promise<void> {
  app.get('/healthz', async () => ({ status: 'alive' }));
  app.get('/readyz', async (_request, reply) => {
    const health = options.log.health();
    const sources = options.sources();
    const detail = sources.length === 0 ? {} : { sources };
    if (!health.ready) {
      reply.code(503).header('Retry-After', String(errorTable.SWY_STORE_UNAVAILABLE.retryAfterSeconds));
      return { status: 'unavailable', reason: health.reason, ...detail };
    }
    const warnings = [...(health.warnings ?? []), ...sources.map(sourceWarning).filter((w): w is string => w !== undefined)];
    return { status: 'ready', ...(warnings.length === 0 ? {} : { warnings }), ...detail };
  });
}
