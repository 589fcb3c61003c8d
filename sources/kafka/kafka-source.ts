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
 *
 * Backpressure: after each batch the outbox's backlog (stored, not yet delivered, stored retries
 * included) is read; above `maxBacklog` every consumer pauses its topics (the records stay in
 * Kafka, so memory stays flat however far behind the sink is) and resumes once the backlog fell to
 * half of it.
 */
import { Kafka, type KafkaConfig, type Consumer, type EachBatchPayload, logLevel, type LogEntry as KafkaLogEntry, type SASLOptions } from 'kafkajs';
import type { Logger } from 'pino';
import type { EventLog } from '../../services/broker/event-log.ts';
import { type CloudEvent, SOURCE_ORDERING_KEY } from '../../services/cloudevents/cloud-event.ts';
import type { DeliveryStore } from '../../services/dispatcher/delivery-store.ts';
import type { KafkaSourceConfig } from '../../services/manifests/runtime-config.ts';
import { cursorName } from '../../services/dispatcher/trigger-dispatcher.ts';
import { registerKafkaCodecs } from './kafka-codecs.ts';
import { type KafkaRecord, recordToEvent, type SourceIdentity, synthesizedEvent } from './kafka-record-event.ts';
import { type KafkaSourceHealth, KafkaSourceHealthTracker } from './kafka-source-health.ts';

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
 * A fetch waits this long for records, and a consumer whose partitions are all paused sleeps this
 * long before it looks again (kafkajs consumerGroup.fetch): at kafkajs's default, 5 s, a resumed
 * source read nothing for up to 5 s while the sink drained the outbox and idled (bench:kafka,
 * 40,000 records: 2,700 records/s at 5 s, 3,700 at 250 ms).
 */
const MAX_WAIT_MS = 250;
/** How often a paused source looks at its backlog again. */
const RESUME_CHECK_MS = 100;
/**
 * A member that stops heartbeating (a killed process) loses its partitions after this; kafkajs's
 * default, 30 s, held a restarted platform's records back that long (test/sources/kafka/
 * kafka-source-crash.test.ts took 45 s). Batches that wait for the store heartbeat meanwhile.
 */
const SESSION_TIMEOUT_MS = 10_000;
const CONSUMER_RESTART_MS = 1000;
const MAX_CONSUMER_RESTART_MS = 30_000;

/** kafkajs's log lines at warn and error go to the platform's log, with the source named; errors also to its health. */
function logCreator(logger: Logger, health: KafkaSourceHealthTracker): KafkaConfig['logCreator'] {
  return () =>
    ({ level, log }: KafkaLogEntry) => {
      const { message, ...fields } = log;
      if (level === logLevel.ERROR) {
        logger.error(fields, `kafka: ${message}`);
        health.failing(typeof fields['error'] === 'string' ? `${message}: ${fields['error']}` : message);
      } else if (level === logLevel.WARN) logger.warn(fields, `kafka: ${message}`);
    };
}

export class KafkaSourceRunner {
  readonly #consumers: Consumer[] = [];
  /** Per consumer: how long to wait before replacing it when it crashes for good. */
  readonly #restartDelays: number[] = [];
  readonly #logger: Logger;
  readonly #health: KafkaSourceHealthTracker;
  /** The outbox trigger's cursor: its backlog is what waits for delivery. */
  readonly #outboxCursor: string;
  /** What records become events with; one object for the source's life (kafka-record-event.ts keeps per-topic strings by it). */
  readonly #identity: SourceIdentity;
  #running = false;
  #resumeCheck: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: KafkaSourceConfig,
    private readonly connection: KafkaConnection,
    private readonly parts: KafkaSourceParts,
  ) {
    this.#logger = parts.logger.child({ kafkaSource: config.key });
    this.#health = new KafkaSourceHealthTracker(config.key);
    this.#outboxCursor = cursorName({ key: config.outbox });
    this.#identity = { namespace: config.namespace, name: config.name, keyType: config.keyType, extensions: config.extensions };
  }

  health(): KafkaSourceHealth {
    return this.#health.snapshot();
  }

  async start(): Promise<void> {
    this.#running = true;
    registerKafkaCodecs();
    const kafka = new Kafka({
      clientId: `switchyard-${this.config.namespace}-${this.config.name}`,
      brokers: [...this.config.bootstrapServers],
      ...(this.connection.ssl === undefined ? {} : { ssl: this.connection.ssl }),
      ...(this.connection.sasl === undefined ? {} : { sasl: this.connection.sasl }),
      logLevel: logLevel.WARN,
      logCreator: logCreator(this.#logger, this.#health),
    });
    for (let i = 0; i < this.config.consumers; i++) await this.#startConsumer(kafka, i);
    this.#logger.info({ topics: this.config.topics, group: this.config.groupId, consumers: this.config.consumers }, 'kafka source started');
  }

  async #startConsumer(kafka: Kafka, i: number): Promise<void> {
    const consumer = kafka.consumer({ groupId: this.config.groupId, sessionTimeout: SESSION_TIMEOUT_MS, heartbeatInterval: 3000, maxWaitTimeInMs: MAX_WAIT_MS, retry: { retries: Number.MAX_SAFE_INTEGER, maxRetryTime: 30_000 } });
    this.#consumers[i] = consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this.#restartDelays[i] = CONSUMER_RESTART_MS;
      this.#health.assigned(i, payload.memberAssignment);
    });
    consumer.on(consumer.events.FETCH, () => this.#health.reachable());
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      const delay = this.#restartDelays[i] ?? CONSUMER_RESTART_MS;
      this.#health.failing(`the consumer crashed (${payload.error.message}); ${payload.restart ? 'kafkajs restarts it' : `a new one starts in ${delay} ms`}`);
      if (!payload.restart) void this.#replaceConsumer(kafka, i, consumer, delay);
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [...this.config.topics], fromBeginning: this.config.fromBeginning });
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: (payload) => this.#batch(consumer, payload) });
    if (this.#resumeCheck !== undefined) consumer.pause(this.config.topics.map((topic) => ({ topic })));
  }

  /**
   * kafkajs gives up on a consumer whose error it deems not retriable (the mock cluster answered a
   * SyncGroup racing a second member's join with INVALID_REQUEST, and the source read nothing
   * more while the process stayed up): a new consumer joins in its place, after a backoff that
   * doubles up to 30 s and starts again at 1 s once a consumer joined its group.
   */
  async #replaceConsumer(kafka: Kafka, i: number, crashed: Consumer, delay: number): Promise<void> {
    this.#health.unassigned(i);
    this.#logger.error({ consumer: i, delayMs: delay }, 'the Kafka consumer crashed and kafkajs does not restart it; a new consumer takes its place');
    this.#restartDelays[i] = Math.min(delay * 2, MAX_CONSUMER_RESTART_MS);
    await crashed.disconnect().catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, delay));
    if (!this.#running || this.#consumers[i] !== crashed) return;
    try {
      await this.#startConsumer(kafka, i);
    } catch (error) {
      this.#health.failing(`a new consumer could not start (${(error as Error).message})`);
      void this.#replaceConsumer(kafka, i, this.#consumers[i] as Consumer, this.#restartDelays[i] ?? CONSUMER_RESTART_MS);
    }
  }

  async #batch(consumer: Consumer, payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    if (batch.messages.length === 0) return;
    const events: CloudEvent[] = [];
    const invalid: Array<{ event: CloudEvent; reason: string }> = [];
    const identity = this.#identity;
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
    await this.#checkBacklog();
  }

  async #checkBacklog(): Promise<void> {
    if (this.#resumeCheck !== undefined || !this.#running) return;
    const backlog = await this.#backlog();
    if (backlog === undefined || backlog < this.config.maxBacklog) return;
    const topics = this.config.topics.map((topic) => ({ topic }));
    for (const consumer of this.#consumers) consumer.pause(topics);
    const reason = `${backlog} events wait for delivery to the sink (switchyard.dev/max-backlog ${this.config.maxBacklog}); consuming resumes below ${Math.floor(this.config.maxBacklog / 2)}`;
    this.#health.paused(reason);
    this.#logger.warn({ backlog }, `kafka source paused: ${reason}`);
    this.#resumeCheck = setInterval(() => void this.#resumeIfDrained(topics), RESUME_CHECK_MS);
  }

  async #resumeIfDrained(topics: Array<{ topic: string }>): Promise<void> {
    const backlog = await this.#backlog();
    if (backlog === undefined || backlog > this.config.maxBacklog / 2 || this.#resumeCheck === undefined) return;
    clearInterval(this.#resumeCheck);
    this.#resumeCheck = undefined;
    for (const consumer of this.#consumers) consumer.resume(topics);
    this.#health.resumed();
    this.#logger.info({ backlog }, 'kafka source resumed: the backlog fell below half its bound');
  }

  /**
   * The outbox's undelivered events: those not yet acknowledged, and (unordered) those waiting as
   * stored retries — acknowledged in the outbox, not delivered, and without this a sink that is
   * down for long had an unordered source copy its whole topic into the retry store. Ordered
   * retries wait in place, unacknowledged. Undefined when the store cannot say (it is away):
   * nothing changes then.
   */
  async #backlog(): Promise<number | undefined> {
    try {
      const [unacknowledged, retries] = await Promise.all([
        this.parts.log.backlog(this.#outboxCursor),
        this.config.ordering === 'unordered' ? this.parts.store.countRetries(this.config.outbox) : 0,
      ]);
      return unacknowledged + retries;
    } catch (error) {
      this.#logger.debug({ err: error }, 'reading the outbox backlog failed');
      return undefined;
    }
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
    clearInterval(this.#resumeCheck);
    this.#resumeCheck = undefined;
    await Promise.all(this.#consumers.map((consumer) => consumer.disconnect().catch((error: unknown) => this.#logger.warn({ err: error }, 'disconnecting from Kafka failed'))));
  }
}
