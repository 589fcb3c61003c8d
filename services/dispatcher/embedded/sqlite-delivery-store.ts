/**
 * The delivery store in the embedded engine's SQLite file: reads on the main thread, writes through
 * the event log's writer thread and group commit (so a retry scheduled for an event and the cursor
 * moving past it can share one fsync).
 */
import type { CloudEvent } from '../../cloudevents/cloud-event.ts';
import { dataEncodingCode, dataEncodingOf } from '../../broker/embedded/sqlite-schema.ts';
import type { SqliteEventLog } from '../../broker/embedded/sqlite-event-log.ts';
import type { WriteStep } from '../../broker/embedded/sqlite-writer-protocol.ts';
import type { Attempt, DeadLetter, DeadLetterQuery, DeadLetterSinkOutcome, DeliveryStore, RetryAnswer, RetryConsumer, RetryEntry, RetryHandler } from '../delivery-store.ts';
import { SqliteRetryConsumer } from './sqlite-retry-consumer.ts';

interface RetryRow {
  id: number;
  trigger: string;
  broker: string;
  due_at: number;
  attempts: string;
  attributes: string;
  data: Buffer | null;
  data_encoding: number;
}

interface DeadLetterRow {
  id: number;
  broker: string;
  trigger: string;
  reason: string;
  created_at: number;
  attempts: string;
  attributes: string;
  data: Buffer | null;
  data_encoding: number;
  sink: string;
}

function insertRetry(entry: Omit<RetryEntry, 'id'>): WriteStep {
  return [
    'insertRetry',
    [
      entry.trigger,
      entry.broker,
      entry.dueAt,
      JSON.stringify(entry.attempts),
      JSON.stringify(entry.event.attributes),
      entry.event.data ?? null,
      dataEncodingCode(entry.event.dataEncoding),
    ],
  ];
}

function rowEvent(row: { attributes: string; data: Buffer | null; data_encoding: number }): CloudEvent {
  return { attributes: JSON.parse(row.attributes), data: row.data ?? undefined, dataEncoding: dataEncodingOf(row.data_encoding) };
}

function rowRetry(row: RetryRow): RetryEntry {
  return { id: String(row.id), trigger: row.trigger, broker: row.broker, dueAt: row.due_at, attempts: JSON.parse(row.attempts) as Attempt[], event: rowEvent(row) };
}

export class SqliteDeliveryStore implements DeliveryStore {
  readonly #consumers = new Map<string, Set<SqliteRetryConsumer>>();
  /** Dead letters being sent somewhere once, until when (one process: the claims live here). */
  readonly #claims = new Map<string, number>();

  constructor(private readonly log: SqliteEventLog) {}

  async scheduleRetry(entry: Omit<RetryEntry, 'id'>): Promise<string> {
    const [id] = await this.log.write([insertRetry(entry)]);
    this.#poke(entry.trigger);
    return String(id);
  }

  consumeRetries(trigger: string, concurrency: number, handle: RetryHandler): RetryConsumer {
    const table = {
      due: (t: string, now: number, limit: number, skip: ReadonlySet<string>) => this.#dueRetries(t, now, limit, skip),
      nextDue: (t: string) => this.#nextRetryDue(t),
      apply: (retry: RetryEntry, answer: RetryAnswer) => this.#apply(retry, answer),
    };
    const consumer = new SqliteRetryConsumer(table, trigger, concurrency, handle);
    let set = this.#consumers.get(trigger);
    if (set === undefined) this.#consumers.set(trigger, (set = new Set()));
    set.add(consumer);
    return {
      stop: async () => {
        set.delete(consumer);
        await consumer.stop();
      },
    };
  }

  #poke(trigger: string): void {
    for (const consumer of this.#consumers.get(trigger) ?? []) consumer.poke();
  }

  async #apply(retry: RetryEntry, answer: RetryAnswer): Promise<void> {
    if (answer.kind === 'done') await this.log.write([['deleteRetry', [Number(retry.id)]]]);
    else await this.log.write([['updateRetry', [answer.dueAt, JSON.stringify(answer.attempts), Number(retry.id)]]]);
  }

  async listRetries(trigger?: string): Promise<RetryEntry[]> {
    const rows =
      trigger === undefined
        ? this.log.query<RetryRow>('SELECT * FROM retries ORDER BY due_at, id')
        : this.log.query<RetryRow>('SELECT * FROM retries WHERE trigger = ? ORDER BY due_at, id', trigger);
    return rows.map(rowRetry);
  }

  async countRetries(trigger: string): Promise<number> {
    const [row] = this.log.query<{ n: number }>('SELECT COUNT(*) AS n FROM retries WHERE trigger = ?', trigger);
    return row?.n ?? 0;
  }

  async close(): Promise<void> {
    // The retries live in the event log's file; closing the log closes them.
  }

  async redriveDeadLetters(redrives: ReadonlyArray<{ readonly id: string; readonly retry: Omit<RetryEntry, 'id'> }>): Promise<Array<string | undefined>> {
    if (redrives.length === 0) return [];
    const results = await this.log.write(
      redrives.flatMap(({ id, retry }): WriteStep[] => [
        ['redriveRetry', [...insertRetry(retry)[1], Number(id)]],
        ['deleteDeadLetter', [Number(id)]],
      ]),
    );
    for (const trigger of new Set(redrives.map((r) => r.retry.trigger))) this.#poke(trigger);
    // Each entry's two steps: the conditional insert answers the retry's id, or 0 when the dead letter was gone.
    return redrives.map((_, i) => {
      const retryId = results[2 * i];
      return retryId === undefined || retryId === 0 ? undefined : String(retryId);
    });
  }

  async claimDeadLetter(id: string, ms: number): Promise<boolean> {
    const now = Date.now();
    if ((this.#claims.get(id) ?? 0) > now) return false;
    if (this.log.query('SELECT 1 FROM dead_letters WHERE id = ?', Number(id)).length === 0) return false;
    this.#claims.set(id, now + ms);
    return true;
  }

  async releaseDeadLetter(id: string): Promise<void> {
    this.#claims.delete(id);
  }

  async #dueRetries(trigger: string, now: number, limit: number, skip: ReadonlySet<string>): Promise<RetryEntry[]> {
    const rows = this.log.query<RetryRow>('SELECT * FROM retries WHERE trigger = ? AND due_at <= ? ORDER BY due_at, id LIMIT ?', trigger, now, limit + skip.size);
    return rows
      .filter((row) => !skip.has(String(row.id)))
      .slice(0, limit)
      .map(rowRetry);
  }

  async #nextRetryDue(trigger: string): Promise<number | undefined> {
    const [row] = this.log.query<{ due: number | null }>('SELECT MIN(due_at) AS due FROM retries WHERE trigger = ?', trigger);
    return row?.due ?? undefined;
  }

  async deadLetter(entry: Omit<DeadLetter, 'id'>, retryId?: string): Promise<string> {
    const code = entry.event.attributes['knativeerrorcode'];
    const [id] = await this.log.write([
      [
        'insertDeadLetter',
        [
          entry.broker,
          entry.trigger,
          String(entry.event.attributes['type'] ?? ''),
          typeof code === 'number' ? code : code === undefined ? null : Number(code),
          entry.reason,
          entry.createdAt,
          JSON.stringify(entry.attempts),
          JSON.stringify(entry.event.attributes),
          entry.event.data ?? null,
          dataEncodingCode(entry.event.dataEncoding),
          JSON.stringify(entry.deadLetterSink),
        ],
      ],
      ...(retryId === undefined ? [] : ([['deleteRetry', [Number(retryId)]]] as const)),
    ]);
    return String(id);
  }

  async leaseDeadLetterSink(): Promise<boolean> {
    return true;
  }

  async setDeadLetterSinkOutcome(id: string, outcome: DeadLetterSinkOutcome): Promise<void> {
    await this.log.write([['updateDeadLetterSink', [JSON.stringify(outcome), Number(id)]]]);
  }

  /** The WHERE clause of a query, or undefined when it can select nothing (an empty id list). */
  #where(query: DeadLetterQuery): { sql: string; params: Array<string | number> } | undefined {
    const where: string[] = [];
    const params: Array<string | number> = [];
    if (query.broker !== undefined) (where.push('broker = ?'), params.push(query.broker));
    if (query.trigger !== undefined) (where.push('trigger = ?'), params.push(query.trigger));
    if (query.type !== undefined) (where.push('type = ?'), params.push(query.type));
    if (query.since !== undefined) (where.push('created_at >= ?'), params.push(query.since));
    if (query.createdUntil !== undefined) (where.push('created_at <= ?'), params.push(query.createdUntil));
    if (query.code !== undefined) (where.push('code = ?'), params.push(query.code));
    if (query.afterId !== undefined) (where.push('id > ?'), params.push(Number(query.afterId)));
    if (query.ids !== undefined) {
      if (query.ids.length === 0) return undefined;
      where.push(`id IN (${query.ids.map(() => '?').join(', ')})`);
      params.push(...query.ids.map(Number));
    }
    return { sql: where.length ? ` WHERE ${where.join(' AND ')}` : '', params };
  }

  async countDeadLetters(query: DeadLetterQuery): Promise<number> {
    const where = this.#where(query);
    if (where === undefined) return 0;
    const [row] = this.log.query<{ n: number }>(`SELECT COUNT(*) AS n FROM dead_letters${where.sql}`, ...where.params);
    return row?.n ?? 0;
  }

  async listDeadLetters(query: DeadLetterQuery): Promise<DeadLetter[]> {
    const where = this.#where(query);
    if (where === undefined) return [];
    const rows = this.log.query<DeadLetterRow>(`SELECT * FROM dead_letters${where.sql} ORDER BY id LIMIT ?`, ...where.params, query.limit ?? -1);
    return rows.map((row) => ({
      id: String(row.id),
      broker: row.broker,
      trigger: row.trigger,
      event: rowEvent(row),
      attempts: JSON.parse(row.attempts) as Attempt[],
      reason: row.reason,
      createdAt: row.created_at,
      deadLetterSink: JSON.parse(row.sink) as DeadLetterSinkOutcome,
    }));
  }

  async deleteDeadLetters(ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const results = await this.log.write(ids.map((id) => ['deleteDeadLetter', [Number(id)]] as const));
    // Only once the rows are gone: a claim released earlier would let another caller claim a row still there.
    for (const id of ids) this.#claims.delete(id);
    return results.reduce((sum, n) => sum + n, 0);
  }
}
