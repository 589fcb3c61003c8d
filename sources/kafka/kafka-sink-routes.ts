/**
 * `POST /kafka-sinks/<namespace>/<name>`: a KafkaSink takes events like a broker does (binary,
 * structured and batch modes; the same 400/404/413 answers) and answers 202 only once Kafka has
 * acknowledged them (acks: all); else 503 SWY_KAFKA_UNAVAILABLE with Retry-After.
 */
import type { FastifyInstance } from 'fastify';
import { eventsFromHttp } from '../../services/cloudevents/http-binding.ts';
import { SwitchyardError } from '../../services/errors.ts';
import type { KafkaSinks } from './kafka-sinks.ts';

interface SinkParams {
  namespace: string;
  name: string;
}

export async function kafkaSinkRoutes(app: FastifyInstance, options: { readonly sinks: KafkaSinks; readonly served: readonly string[]; readonly bodyLimit: number }): Promise<void> {
  // Raw bytes whatever the content type, as at the broker ingress: the binding parses them.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: options.bodyLimit }, (_request, body, done) => done(null, body));
  app.post<{ Params: SinkParams }>('/kafka-sinks/:namespace/:name', async (request, reply) => {
    const key = `${request.params.namespace}/${request.params.name}`;
    if (!options.sinks.has(key)) {
      throw new SwitchyardError('SWY_BROKER_NOT_FOUND', `no KafkaSink ${key} is configured (expected one of: ${options.served.join(', ') || 'none'})`, { broker: key });
    }
    const { events } = eventsFromHttp(request.headers, request.body as Buffer | undefined);
    try {
      await options.sinks.produce(key, events);
    } catch (error) {
      throw new SwitchyardError('SWY_KAFKA_UNAVAILABLE', `Kafka did not acknowledge the events for KafkaSink ${key}: ${(error as Error).message}`, undefined, { cause: error });
    }
    reply.code(202);
    return events.length === 1 ? '' : { accepted: events.length };
  });
}
