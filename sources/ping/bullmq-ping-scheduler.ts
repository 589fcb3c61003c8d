/**
 * Fires PingSources on the Redis engine: one BullMQ job scheduler per source (the same cron
 * expression and time zone; BullMQ and ping-schedule.ts both compute with cron-parser), upserted
 * by every process at start. BullMQ makes one job a tick, and one worker, in whichever process,
 * takes it: each tick fires once across all processes, and keeps firing while any process lives.
 *
 * A tick job taken more than LATE_MS after its time means no process was running then. It is not
 * fired (Knative does not replay missed ticks) unless the source's catch-up allows: then the ticks
 * since the last fire, up to the catch-up age, are.
 */
import { type Job, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { boundedClose } from '../../services/broker/redis/bounded-close.ts';
import type { PingSourceConfig } from '../../services/manifests/runtime-config.ts';
import { PingEmitter } from './ping-emitter.ts';
import type { PingScheduler, PingSchedulerParts } from './ping-scheduler.ts';

/** A tick taken this late was due while no process ran. */
const LATE_MS = 30_000;
/**
 * A tick held by a process that died goes back to waiting once its lock lapses and a stalled-job
 * check sees it: within about twice this, well inside LATE_MS, so it still fires.
 */
const TICK_LOCK_MS = 5_000;

interface TickData {
  readonly source: string;
}

export interface BullPingOptions {
  readonly connection: Readonly<Record<string, unknown>>;
  readonly prefix: string;
  readonly queueName: string;
  /** How late a tick job may be taken and still fire (default 30 s). */
  readonly lateMs?: number | undefined;
}

export class BullPingScheduler implements PingScheduler {
  readonly #sources: ReadonlyMap<string, PingSourceConfig>;
  readonly #options: BullPingOptions;
  readonly #parts: PingSchedulerParts;
  readonly #emitter: PingEmitter;
  #queue: Queue<TickData, void, string> | undefined;
  #worker: Worker<TickData, void, string> | undefined;
  #queueConnection: Redis | undefined;

  constructor(sources: readonly PingSourceConfig[], parts: PingSchedulerParts, options: BullPingOptions) {
    this.#sources = new Map(sources.map((s) => [s.key, s]));
    this.#parts = parts;
    this.#options = options;
    this.#emitter = new PingEmitter(parts.log, parts.logger);
  }

  async start(): Promise<void> {
    if (this.#sources.size === 0) return;
    // The queue's connection is ours, so that closing drops it instead of asking BullMQ to QUIT a
    // connection that may be reconnecting (bullmq-retries.ts says more).
    this.#queueConnection = new Redis({ ...this.#options.connection });
    this.#queueConnection.on('error', () => undefined);
    const queue = new Queue<TickData, void, string>(this.#options.queueName, { connection: this.#queueConnection, prefix: this.#options.prefix });
    queue.on('error', () => undefined);
    this.#queue = queue;
    // Ticks missed while every process was down, for sources whose catch-up allows: the last fire
    // is in the outbox, so a process starting while others kept firing finds nothing missed.
    for (const source of this.#sources.values()) await this.#emitter.catchUp(source, Date.now(), await this.#emitter.lastFire(source));
    await this.#upsertSchedulers(queue);
    this.#worker = new Worker<TickData, void, string>(this.#options.queueName, (job) => this.#tick(job), {
      connection: { ...this.#options.connection, maxRetriesPerRequest: null },
      prefix: this.#options.prefix,
      concurrency: 16,
      lockDuration: TICK_LOCK_MS,
      stalledInterval: TICK_LOCK_MS,
      // A tick held by a process that died is handed to another, never failed.
      maxStalledCount: Number.MAX_SAFE_INTEGER,
    });
    this.#worker.on('error', (error) => this.#parts.logger.warn({ err: error }, 'the PingSource worker lost Redis; BullMQ reconnects'));
  }

  /** Writes every source's job scheduler again: after Redis lost its data, they are gone. */
  async restoreSchedulers(): Promise<void> {
    if (this.#queue === undefined) return;
    await this.#upsertSchedulers(this.#queue);
    this.#parts.logger.warn({ sources: this.#sources.size }, 'the PingSource job schedulers were written to Redis again after it lost its data');
  }

  async #upsertSchedulers(queue: Queue<TickData, void, string>): Promise<void> {
    for (const source of this.#sources.values()) {
      // Upserting the same id from every process keeps one scheduler (and moves it when the schedule changed).
      await queue.upsertJobScheduler(`ping:${source.key}`, { pattern: source.schedule.expression, tz: source.schedule.timezone }, {
        name: 'tick',
        data: { source: source.key },
        opts: { removeOnComplete: true, removeOnFail: { count: 100 } },
      });
    }
  }

  async stop(): Promise<void> {
    this.#emitter.stop();
    if (this.#worker !== undefined) await boundedClose(this.#worker);
    await this.#queue?.close().catch(() => undefined);
    this.#queueConnection?.disconnect();
  }

  async #tick(job: Job<TickData, void, string>): Promise<void> {
    const source = this.#sources.get(job.data.source);
    // A scheduler of a source this process's manifests do not have (removed, or a newer release's): nothing to fire here.
    if (source === undefined) return;
    const due = typeof job.opts.prevMillis === 'number' ? job.opts.prevMillis : job.timestamp + (job.delay ?? 0);
    const now = Date.now();
    if (now - due > (this.#options.lateMs ?? LATE_MS)) {
      const replayed = await this.#emitter.catchUp(source, now, await this.#emitter.lastFire(source));
      if (replayed === 0 && source.catchUpMs === undefined) this.#parts.logger.info({ source: source.key, tick: new Date(due).toISOString() }, 'PingSource tick skipped: it fell while no process was running (switchyard.dev/catch-up replays such ticks)');
      return;
    }
    await this.#emitter.emit(source, new Date(due));
  }
}
