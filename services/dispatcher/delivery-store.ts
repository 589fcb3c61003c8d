/**
 * Where dispatch keeps what must survive a restart besides the event log: retries waiting for
 * their time, and dead letters.
 *
 * An event leaves a trigger's cursor only after one of these writes is durable (or after it was
 * delivered): schedule a retry, then acknowledge the log entry; write the dead letter, then
 * acknowledge. A crash in between delivers the event again (at-least-once), never loses it.
 *
 * | operation         | embedded (SQLite)                         | Redis engine                                  |
 * |-------------------|-------------------------------------------|-----------------------------------------------|
 * | scheduleRetry     | INSERT into retries (due_at indexed)      | BullMQ delayed job (custom backoff strategy)  |
 * | dueRetries        | SELECT … WHERE trigger = ? AND due_at ≤ ? | the BullMQ worker receives the job when due   |
 * | rescheduleRetry   | UPDATE due_at, attempts                   | job moved to delayed (job.moveToDelayed)      |
 * | completeRetry     | DELETE                                    | job completed                                 |
 * | deadLetter        | INSERT dead_letters [+ DELETE the retry]  | HSET entry + ZADD index (one Lua script)      |
 * | list/get/delete   | SELECT / DELETE on dead_letters           | ZRANGEBYSCORE + HGET / DEL                    |
 * | redrive           | INSERT retry + DELETE dead letter, 1 txn  | add job + DEL entry (one Lua script)          |
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
  readonly limit?: number | undefined;
}

export interface DeliveryStore {
  scheduleRetry(entry: Omit<RetryEntry, 'id'>): Promise<string>;
  /** Retries of the trigger due by `now`, oldest due first, skipping the ids given (already in flight). */
  dueRetries(trigger: string, now: number, limit: number, skip: ReadonlySet<string>): Promise<RetryEntry[]>;
  /** When the trigger's next retry is due, if it has any. */
  nextRetryDue(trigger: string): Promise<number | undefined>;
  rescheduleRetry(id: string, dueAt: number, attempts: readonly Attempt[]): Promise<void>;
  completeRetry(id: string): Promise<void>;
  /** Stores the dead letter and, when `retryId` is given, removes that retry in the same transaction. */
  deadLetter(entry: Omit<DeadLetter, 'id'>, retryId?: string): Promise<string>;
  setDeadLetterSinkOutcome(id: string, outcome: DeadLetterSinkOutcome): Promise<void>;
  listDeadLetters(query: DeadLetterQuery): Promise<DeadLetter[]>;
  deleteDeadLetters(ids: readonly string[]): Promise<number>;
  /** Schedules the retry and removes the dead letter in one transaction; resolves with the retry's id. */
  redriveDeadLetter(id: string, retry: Omit<RetryEntry, 'id'>): Promise<string>;
}
