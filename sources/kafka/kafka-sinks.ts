/**
 * Produces events to KafkaSinks' topics: one kafkajs producer per sink, connected on first use,
 * `acks: -1` (every in-sync replica), so an event counts as delivered only once Kafka has it. A
 * failure is a retryable delivery failure for whoever sent it (a trigger's retries; 503 at
 * POST /kafka-sinks/NS/NAME).
 */
import { Kafka, type Producer, logLevel } from 'kafkajs';
import type { Logger } from 'pino';
import type { CloudEvent } from '../../services/cloudevents/cloud-event.ts';
import type { KafkaSinkConfig } from '../../services/manifests/runtime-config.ts';
import { eventToKafkaMessage } from './kafka-sink-message.ts';
import type { KafkaConnection } from './kafka-source.ts';

export class KafkaSinks {
  readonly #producers = new Map<string, Promise<Producer>>();

  constructor(
    private readonly sinks: ReadonlyMap<string, KafkaSinkConfig>,
    private readonly connections: ReadonlyMap<string, KafkaConnection>,
    private readonly logger: Logger,
  ) {}

  has(key: string): boolean {
    return this.sinks.has(key);
  }

  #producer(sink: KafkaSinkConfig): Promise<Producer> {
    let producer = this.#producers.get(sink.key);
    if (producer === undefined) {
      const connection = this.connections.get(sink.key) ?? {};
      const kafka = new Kafka({
        clientId: `switchyard-${sink.namespace}-${sink.name}`,
        brokers: [...sink.bootstrapServers],
        ...(connection.ssl === undefined ? {} : { ssl: connection.ssl }),
        ...(connection.sasl === undefined ? {} : { sasl: connection.sasl }),
        logLevel: logLevel.NOTHING,
      });
      const created = kafka.producer({ allowAutoTopicCreation: false });
      producer = created.connect().then(() => created);
      // A failed connection is tried again at the next send, not remembered.
      producer.catch(() => this.#producers.delete(sink.key));
      this.#producers.set(sink.key, producer);
    }
    return producer;
  }

  /** Resolves once Kafka acknowledged every event; rejects with the reason otherwise. */
  async produce(key: string, events: readonly CloudEvent[]): Promise<void> {
    const sink = this.sinks.get(key);
    if (sink === undefined) throw new Error(`no KafkaSink ${key} is configured`);
    const producer = await this.#producer(sink);
    await producer.send({ topic: sink.topic, acks: -1, messages: events.map((event) => eventToKafkaMessage(event, sink.contentMode)) });
  }

  async close(): Promise<void> {
    const producers = [...this.#producers.values()];
    this.#producers.clear();
    await Promise.all(producers.map(async (p) => (await p.catch(() => undefined))?.disconnect().catch((error: unknown) => this.logger.warn({ err: error }, 'disconnecting a Kafka producer failed'))));
  }
}
