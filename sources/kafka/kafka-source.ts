/**
 * Runs a KafkaSource: a kafkajs consumer group reading its topics into the source's outbox, from
 * where an internal trigger delivers to the sink (source-config.ts), as a PingSource's ticks are.
 *
 *   fetch a batch ─▶ each record → CloudEvent (kafka-record-event.ts)
 *        │               └─ not a valid event ─▶ dead letter of the source, with the reason
 *        ▼
 *   append the events to the outbox (durable) ─▶ commit the batch's next offset to Kafka
 *
 * Offsets are committed only after the batch's events are stored (and its bad records
 * dead-lettered), so a kill at any point replays records, never loses them; a duplicate after a
 * crash keeps its id (`partition:P/offset:O`), so it is recognisable. While the store refuses
 * appends (overloaded, unavailable), the batch waits and is tried again with the consumer's
 * heartbeat kept up; it is never skipped.
 */
import { Kafka, type KafkaConfig, type Consumer, type EachBatchPayload, logLevel, type LogEntry as KafkaLogEntry, type SASLOptions } from 'kafkajs';
import type { Logger } from 'pino';
import type { EventLog } from '../../services/broker/event-log.ts';
import { type CloudEvent, SOURCE_ORDERING_KEY } from '../../services/cloudevents/cloud-event.ts';
import type { DeliveryStore } from '../../services/dispatcher/delivery-store.ts';
import type { KafkaSourceConfig } from '../../services/manifests/runtime-config.ts';
import { type KafkaRecord, recordToEvent, synthesizedEvent } from './kafka-record-event.ts';

export interface KafkaSourceParts {
  readonly log: EventLog;
  readonly store: DeliveryStore;
  readonly logger: Logger;
}

/** The connection settings read from secrets when the platform starts (kafka-credentials.ts). */
export interface KafkaConnection {
  readonly ssl?: KafkaConfig['ssl'];
  readonly sasl?: SASLOptions | undefined;
}

const STORE_RETRY_MS = 200;
/**
 * A member that stops heartbeating (a killed process) loses its partitions after this; kafkajs's
 * default, 30 s, held a restarted platform's records back that long (test/sources/kafka/
 * kafka-source-crash.test.ts took 45 s). Batches that wait for the store heartbeat meanwhile.
 */
const SESSION_TIMEOUT_MS = 10_000;

/** kafkajs's log lines at warn and error go to the platform's log, with the source named. */
function logCreator(logger: Logger): KafkaConfig['logCreator'] {
  return () =>
    ({ level, log }: KafkaLogEntry) => {
      const { message, ...fields } = log;
      if (level === logLevel.ERROR) logger.error(fields, `kafka: ${message}`);
      else if (level === logLevel.WARN) logger.warn(fields, `kafka: ${message}`);
    };
}

export class KafkaSourceRunner {
  readonly #consumers: Consumer[] = [];
  readonly #logger: Logger;
  #running = false;

  constructor(
    private readonly config: KafkaSourceConfig,
    private readonly connection: KafkaConnection,
    private readonly parts: KafkaSourceParts,
  ) {
    this.#logger = parts.logger.child({ kafkaSource: config.key });
  }

  async start(): Promise<void> {
    this.#running = true;
    const kafka = new Kafka({
      clientId: `switchyard-${this.config.namespace}-${this.config.name}`,
      brokers: [...this.config.bootstrapServers],
      ...(this.connection.ssl === undefined ? {} : { ssl: this.connection.ssl }),
      ...(this.connection.sasl === undefined ? {} : { sasl: this.connection.sasl }),
      logLevel: logLevel.WARN,
      logCreator: logCreator(this.#logger),
    });
    for (let i = 0; i < this.config.consumers; i++) {
      const consumer = kafka.consumer({ groupId: this.config.groupId, sessionTimeout: SESSION_TIMEOUT_MS, heartbeatInterval: 3000, retry: { retries: Number.MAX_SAFE_INTEGER, maxRetryTime: 30_000 } });
      this.#consumers.push(consumer);
      await consumer.connect();
      await consumer.subscribe({ topics: [...this.config.topics], fromBeginning: this.config.fromBeginning });
      await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: (payload) => this.#batch(consumer, payload) });
    }
    this.#logger.info({ topics: this.config.topics, group: this.config.groupId, consumers: this.config.consumers }, 'kafka source started');
  }

  async #batch(consumer: Consumer, payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    if (batch.messages.length === 0) return;
    const events: CloudEvent[] = [];
    const invalid: Array<{ event: CloudEvent; reason: string }> = [];
    const identity = { namespace: this.config.namespace, name: this.config.name, keyType: this.config.keyType, extensions: this.config.extensions };
    // The outbox's trigger delivers the events of one partition one at a time (ordering: ordered).
    const orderBy = this.config.ordering === 'ordered' ? `${batch.topic}/${batch.partition}` : undefined;
    for (const message of batch.messages) {
      const record: KafkaRecord = {
        topic: batch.topic,
        partition: batch.partition,
        offset: message.offset,
        timestamp: message.timestamp,
        key: message.key,
        value: message.value,
        headers: (message.headers ?? {}) as KafkaRecord['headers'],
      };
      const outcome = recordToEvent(record, identity);
      if (outcome.ok) events.push(orderBy === undefined ? outcome.event : { ...outcome.event, attributes: { ...outcome.event.attributes, [SOURCE_ORDERING_KEY]: orderBy } });
      else invalid.push({ event: synthesizedEvent(record, identity), reason: outcome.reason });
    }
    await this.#untilStored(payload, async () => {
      if (events.length > 0) await this.parts.log.append(this.config.outbox, events);
    });
    for (const { event, reason } of invalid) {
      await this.#untilStored(payload, () =>
        this.parts.store.deadLetter({ broker: this.config.outbox, trigger: this.config.outbox, event, attempts: [], reason, createdAt: Date.now(), deadLetterSink: { state: 'none' } }),
      );
      this.#logger.warn({ event: event.attributes['id'], reason }, 'a Kafka record was dead-lettered');
    }
    const last = batch.messages[batch.messages.length - 1]?.offset as string;
    payload.resolveOffset(last);
    await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() }]);
    await payload.heartbeat();
  }

  /** Tries `write` until the store takes it, heartbeating meanwhile; gives up only when stopping (the batch is then fetched again). */
  async #untilStored(payload: EachBatchPayload, write: () => Promise<unknown>): Promise<void> {
    for (let failures = 0; ; failures++) {
      try {
        await write();
        return;
      } catch (error) {
        if (!this.#running || !payload.isRunning() || payload.isStale()) throw error;
        if (failures % 25 === 0) this.#logger.warn({ err: error, failures: failures + 1 }, 'storing Kafka records failed; trying again (their offsets are not committed)');
        await new Promise((resolve) => setTimeout(resolve, STORE_RETRY_MS));
        await payload.heartbeat();
      }
    }
  }

  async stop(): Promise<void> {
    this.#running = false;
    await Promise.all(this.#consumers.map((consumer) => consumer.disconnect().catch((error: unknown) => this.#logger.warn({ err: error }, 'disconnecting from Kafka failed'))));
  }
}
