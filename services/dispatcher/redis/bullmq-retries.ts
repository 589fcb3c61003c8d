/**
 * Retries as BullMQ delayed jobs, one queue for the whole platform and one worker per process.
 * A job is added with the delay until its due time; when it comes due, whichever process's worker
 * takes it runs the trigger's handler:
 *
 * - `done` completes the job; `done` with `failed` (the handler dead-lettered the event) ends it
 *   as failed with UnrecoverableError, so BullMQ shows why;
 * - `again` stores the attempts in the job, then throws RetryLater: BullMQ moves the job back to
 *   delayed, for as long as our custom backoff strategy says (the handler already computed the
 *   wait with the trigger's backoff formula and Retry-After).
 *
 * The number of attempts is ours (the handler counts them against `delivery.retry`); BullMQ's
 * `attempts` only has to never run out, and a process that dies holding a job leaves it to
 * BullMQ's stalled-job check, which hands it to a live worker.
 */
import { DelayedError, type Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { boundedClose } from '../../broker/redis/bounded-close.ts';
import { type StoredEvent, fromStoredEvent, toStoredEvent } from '../../broker/redis/stored-event.ts';
import type { Attempt, RetryAnswer, RetryEntry, RetryHandler } from '../delivery-store.ts';

export interface RetryJobData {
  readonly trigger: string;
  readonly broker: string;
  readonly attempts: readonly Attempt[];
  readonly event: StoredEvent;
  /** When the retry was due, as scheduled (ms since the epoch). */
  readonly dueAt: number;
}

const BACKOFF_TYPE = 'switchyard';
/** BullMQ's attempt budget: never the limit, our handler is. */
const JOB_ATTEMPTS = 1_000_000_000;
/** A job whose handler threw unexpectedly, or whose trigger is not configured in this process, waits this long. */
const AFTER_ERROR_MS = 1000;
const UNKNOWN_TRIGGER_MS = 5000;

/** Thrown to have BullMQ run the job again after `delayMs`. */
interface TriggerHandler {
  readonly handle: RetryHandler;
  readonly concurrency: number;
  active: number;
  readonly waiting: Array<() => void>;
}

class RetryLater extends Error {
  constructor(readonly delayMs: number) {
    super(`retry in ${delayMs} ms`);
  }
}

export interface BullRetriesOptions {
  readonly connection: Readonly<Record<string, unknown>>;
  readonly prefix: string;
  readonly queueName: string;
  /** How long a job may run without its worker renewing the lock before another takes it. */
  readonly lockDurationMs: number;
}

export class BullRetries {
  readonly #queue: Queue<RetryJobData, void, string>;
  readonly #options: BullRetriesOptions;
  readonly #queueConnection: Redis;
  readonly #handlers = new Map<string, TriggerHandler>();
  #worker: Worker<RetryJobData> | undefined;

  constructor(options: BullRetriesOptions) {
    this.#options = options;
    // The queue's connection is ours, not BullMQ's: BullMQ would QUIT it on close, which a
    // connection still reconnecting refuses (the close then failed, or hung); ours is dropped.
    this.#queueConnection = new Redis({ ...options.connection, enableOfflineQueue: false });
    this.#queueConnection.on('error', () => undefined);
    this.#queue = new Queue(options.queueName, { connection: this.#queueConnection, prefix: options.prefix });
    this.#queue.on('error', () => undefined);
  }

  /** `jobId`: the job's own id, so that adding it again while it exists adds nothing (BullMQ). */
  async schedule(entry: Omit<RetryEntry, 'id'>, jobId?: string): Promise<string> {
    const data: RetryJobData = { trigger: entry.trigger, broker: entry.broker, attempts: entry.attempts, event: toStoredEvent(entry.event), dueAt: entry.dueAt };
    const job = await this.#queue.add('retry', data, {
      ...(jobId === undefined ? {} : { jobId }),
      delay: Math.max(0, entry.dueAt - Date.now()),
      attempts: JOB_ATTEMPTS,
      backoff: { type: BACKOFF_TYPE },
      removeOnComplete: true,
      removeOnFail: { count: 1000 },
    });
    if (job.id === undefined) throw new Error('BullMQ gave the retry job no id');
    // Added after the job: a crash in between leaves the job uncounted, never counted and gone.
    // A failure here is not the schedule's: throwing would have the caller add the retry again.
    await this.#queueConnection.sadd(this.#pendingKey(entry.trigger), job.id).catch(() => undefined);
    return job.id;
  }

  /** Retries of the trigger not yet ended, from the set kept beside the queue (BullMQ cannot count jobs by their data). */
  count(trigger: string): Promise<number> {
    return this.#queueConnection.scard(this.#pendingKey(trigger));
  }

  #pendingKey(trigger: string): string {
    return `${this.#options.prefix}:${this.#options.queueName}:switchyard-pending:${trigger}`;
  }

  /**
   * Before the job ends (completed, or failed once dead-lettered): a crash after this runs the job
   * again, uncounted, rather than leaving a count that never goes down and holds a source paused.
   */
  async #ended(job: Job<RetryJobData>): Promise<void> {
    if (job.id !== undefined) await this.#queueConnection.srem(this.#pendingKey(job.data.trigger), job.id).catch(() => undefined);
  }

  /** Retries waiting (delayed, waiting or running), soonest due first. */
  async list(trigger?: string): Promise<RetryEntry[]> {
    const jobs = await this.#queue.getJobs(['delayed', 'waiting', 'active', 'prioritized']);
    return jobs
      .filter((job) => job !== undefined && (trigger === undefined || job.data.trigger === trigger))
      .map((job) => entryOf(job, job.timestamp + (job.delay ?? 0)))
      .sort((a, b) => a.dueAt - b.dueAt);
  }

  consume(trigger: string, concurrency: number, handle: RetryHandler): { stop(): Promise<void> } {
    this.#handlers.set(trigger, { handle, concurrency, active: 0, waiting: [] });
    this.#resize();
    return {
      stop: async () => {
        this.#handlers.delete(trigger);
        if (this.#handlers.size === 0) await this.#closeWorker();
        else this.#resize();
      },
    };
  }

  async close(): Promise<void> {
    await this.#closeWorker();
    await this.#queue.close().catch(() => undefined);
    this.#queueConnection.disconnect();
  }

  async #closeWorker(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    // Waits for the jobs under way; a job not finished by then is taken up again by a live worker.
    if (worker !== undefined) await boundedClose(worker);
  }

  /** One worker serves every trigger: its concurrency is the sum of theirs. */
  #resize(): void {
    let total = 0;
    for (const { concurrency } of this.#handlers.values()) total += concurrency;
    if (this.#worker === undefined) {
      this.#worker = new Worker<RetryJobData>(this.#options.queueName, (job, token) => this.#process(job, token), {
        connection: { ...this.#options.connection, maxRetriesPerRequest: null, enableOfflineQueue: true },
        prefix: this.#options.prefix,
        concurrency: Math.max(1, total),
        lockDuration: this.#options.lockDurationMs,
        // A job that stalls (its process died) goes back to waiting however often that happens:
        // failing it would lose the event.
        maxStalledCount: Number.MAX_SAFE_INTEGER,
        stalledInterval: Math.max(1000, this.#options.lockDurationMs),
        settings: { backoffStrategy: (_attemptsMade, _type, error) => (error instanceof RetryLater ? error.delayMs : AFTER_ERROR_MS) },
      });
      this.#worker.on('error', () => undefined);
    } else this.#worker.concurrency = Math.max(1, total);
  }

  async #process(job: Job<RetryJobData>, token: string | undefined): Promise<void> {
    const handler = this.#handlers.get(job.data.trigger);
    if (handler === undefined) {
      // Another process may run a configuration that has this trigger; this one does not.
      await job.moveToDelayed(Date.now() + UNKNOWN_TRIGGER_MS, token);
      throw new DelayedError();
    }
    // The worker's concurrency is the sum over triggers; each trigger keeps to its own share.
    while (handler.active >= handler.concurrency) await new Promise<void>((resolve) => handler.waiting.push(resolve));
    handler.active++;
    let answer: RetryAnswer;
    try {
      answer = await handler.handle(entryOf(job, job.data.dueAt));
    } finally {
      handler.active--;
      handler.waiting.shift()?.();
    }
    if (answer.kind === 'again') {
      await job.updateData({ ...job.data, attempts: answer.attempts, dueAt: answer.dueAt });
      throw new RetryLater(Math.max(0, answer.dueAt - Date.now()));
    }
    await this.#ended(job);
    if (answer.failed !== undefined) throw new UnrecoverableError(answer.failed);
  }
}

function entryOf(job: Pick<Job<RetryJobData>, 'id' | 'data'>, dueAt: number): RetryEntry {
  return { id: job.id ?? '', trigger: job.data.trigger, broker: job.data.broker, dueAt, attempts: job.data.attempts, event: fromStoredEvent(job.data.event) };
}
