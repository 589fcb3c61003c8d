/** Delivering to a KafkaSink destination (kafka-sinks.ts produces; this says how it went, as an HTTP send would). */
import type { CloudEvent } from '../../cloudevents/cloud-event.ts';
import type { KafkaSinks } from '../../../sources/kafka/kafka-sinks.ts';
import type { SendOutcome } from './http-sender.ts';

/** A KafkaSink as a destination: delivered once Kafka acknowledged; a failure is retried like a network error. */
export async function produceToKafka(sinks: KafkaSinks, key: string, event: CloudEvent): Promise<SendOutcome> {
  try {
    await sinks.produce(key, [event]);
    return { kind: 'delivered', status: 202, reply: undefined };
  } catch (error) {
    return { kind: 'failed', status: undefined, body: new Uint8Array(), retryAfter: undefined, error: `producing to KafkaSink ${key} failed: ${(error as Error).message}` };
  }
}
