/**
 * Where dispatch keeps what must survive a restart besides the event log: retries waiting for
 * their time, and dead letters.
 *
 * An event leaves a trigger's cursor only after one of these writes is durable (or after it was
 * delivered): schedule a retry, then acknowledge the log entry; write the dead letter, then
 * acknowledge. A crash in between delivers the event again (at-least-once), never loses it.
 *
 * Retries are pushed: the engine hands each one to the trigger's handler when it comes due and
 * applies the handler's answer. The handler never keeps a retry in memory past its attempt.
 *
 * | operation          | embedded (SQLite)                            | Redis engine                                           |
 * |--------------------|----------------------------------------------|--------------------------------------------------------|
 * | scheduleRetry      | INSERT into retries (due_at indexed)         | BullMQ delayed job (delay = due time − now)            |
 * | consumeRetries     | poll SELECT … WHERE trigger = ? AND due_at ≤ ?| the process's BullMQ worker receives the job when due |
 * |   answer `done`    | DELETE the retry                             | the job completes (or fails: UnrecoverableError)       |
 * |   answer `again`   | UPDATE due_at, attempts                      | job data updated, then delayed by the custom backoff   |
 * | deadLetter         | INSERT dead_letters [+ DELETE the retry]     | INCR id, then MULTI: SET entry + ZADD index            |
 * | list/get/delete    | SELECT / DELETE on dead_letters              | ZRANGE + MGET / MULTI: DEL + ZREM                      |
 * | leaseDeadLetterSink| always granted (one process)                 | SET lease NX PX; the outcome write deletes it          |
 * | redrive            | INSERT retry … WHERE the dead letter exists, | claim the entry (Lua: EXISTS + SET NX PX), add the job |
 * |                    | then DELETE it, in one transaction           | (id redrive-<id>), then DEL entry + index + claim      |
 * | claim / release    | an in-process claim (one process)            | the same claim key; DEL releases                       |
 */
import type { CloudEvent } from '../cloudevents/cloud-event.ts';
import type { BrokerKey } from '../broker/event-log.ts';

export interface Attempt {
  /** ISO time the attempt started. */
  readonly at: string;
  /** HTTP status; absent for a network error or a timeout. */
  readonly status?: number | undefined;
  readonly error: string;
}

export interface RetryEntry {
  readonly id: string;
  readonly trigger: string;
  readonly broker: BrokerKey;
  readonly dueAt: number;
  readonly attempts: readonly Attempt[];
  readonly event: CloudEvent;
}

export type DeadLetterSinkOutcome =
  | { readonly state: 'none' }
  | { readonly state: 'pending'; readonly destination: string }
  | { readonly state: 'delivered'; readonly destination: string; readonly at: string }
  | { readonly state: 'failed'; readonly destination: string; readonly at: string; readonly error: string };

export interface DeadLetter {
  readonly id: string;
  readonly broker: BrokerKey;
  readonly trigger: string;
  /** The event as dead-lettered: the original plus knativeerrordest, knativeerrorcode, knativeerrordata. */
  readonly event: CloudEvent;
  readonly attempts: readonly Attempt[];
  readonly reason: string;
  readonly createdAt: number;
  readonly deadLetterSink: DeadLetterSinkOutcome;
}

export interface DeadLetterQuery {
  readonly broker?: string | undefined;
  readonly trigger?: string | undefined;
  readonly type?: string | undefined;
  readonly since?: number | undefined;
  readonly code?: number | undefined;
  readonly ids?: readonly string[] | undefined;
  /** Only entries with a greater id: the cursor of an operation done in chunks. */
  readonly afterId?: string | undefined;
  /** Only entries created at or before this time (ms): those that existed when the operation began. */
  readonly createdUntil?: number | undefined;
  readonly limit?: number | undefined;
}

/** What a retry handler answers; the engine applies it. */
export type RetryAnswer =
  /** Finished: delivered, or dead-lettered by the handler (`failed` then says why). */
  | { readonly kind: 'done'; readonly failed?: string | undefined }
  /** Try again at `dueAt`, with the attempts so far. */
  | { readonly kind: 'again'; readonly dueAt: number; readonly attempts: readonly Attempt[] };

export type RetryHandler = (retry: RetryEntry) => Promise<RetryAnswer>;

export interface RetryConsumer {
  /** Stops handing out retries and waits for the handlers under way. */
  stop(): Promise<void>;
}

export interface DeliveryStore {
  scheduleRetry(entry: Omit<RetryEntry, 'id'>): Promise<string>;
  /**
   * Hands the trigger's retries to `handle` as they come due, oldest due first, at most
   * `concurrency` at once, and applies each answer. A handler that throws has its retry tried
   * again later with the same attempts (never dropped).
   */
  consumeRetries(trigger: string, concurrency: number, handle: RetryHandler): RetryConsumer;
  /** Retries waiting for the trigger (all triggers when omitted), soonest due first: for inspection and tests. */
  listRetries(trigger?: string): Promise<RetryEntry[]>;
  /** How many retries wait for the trigger, without reading them: a source's backpressure counts them as undelivered. */
  countRetries(trigger: string): Promise<number>;
  /**
   * Stores the dead letter. With `retryId` (the retry being handled), the embedded engine removes
   * that retry in the same transaction; elsewhere the retry ends when its handler answers `done`.
   */
  deadLetter(entry: Omit<DeadLetter, 'id'>, retryId?: string): Promise<string>;
  /**
   * Asks to be the one sending the dead letter to its dead-letter sink, for up to `ms`: false when
   * another process holds that lease (so two processes never both send it). Recording the outcome
   * ends the lease. The embedded engine has one process and always grants it.
   */
  leaseDeadLetterSink(id: string, ms: number): Promise<boolean>;
  setDeadLetterSinkOutcome(id: string, outcome: DeadLetterSinkOutcome): Promise<void>;
  /** Oldest first (by id). */
  listDeadLetters(query: DeadLetterQuery): Promise<DeadLetter[]>;
  /** How many entries the query selects (its limit aside). */
  countDeadLetters(query: DeadLetterQuery): Promise<number>;
  deleteDeadLetters(ids: readonly string[]): Promise<number>;
  /**
   * Takes each dead letter out and schedules its retry, as one step per entry (and one commit or
   * one round trip for the lot): resolves, in order, with each retry's id, or undefined where the
   * entry was gone (another redrive or a purge took it), so two redrives at once redeliver each
   * entry once.
   */
  redriveDeadLetters(redrives: ReadonlyArray<{ readonly id: string; readonly retry: Omit<RetryEntry, 'id'> }>): Promise<Array<string | undefined>>;
  /**
   * Claims the dead letter for up to `ms` while it is sent somewhere once (`redrive --to`): false
   * when it is gone or another caller holds it. Deleting the entry, or releasing, ends the claim.
   */
  claimDeadLetter(id: string, ms: number): Promise<boolean>;
  releaseDeadLetter(id: string): Promise<void>;
  /** Releases what the store holds beyond the event log (the Redis engine's BullMQ connections). */
  close(): Promise<void>;
}
