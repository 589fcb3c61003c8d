/**
 * The embedded event log: SQLite in WAL mode, written by one worker thread, read on the main thread.
 *
 * Group commit: appends and acknowledgements that arrive while a transaction is being written wait
 * together and go into the next transaction, so the cost of fsync is shared by everything that
 * arrived during the previous one. An append resolves (and ingress answers 202) only once its
 * transaction is committed. What may wait is bounded; past the bound appends are refused with
 * SWY_OVERLOADED instead of buffering without limit.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from 'pino';
import type { CloudEvent } from '../../cloudevents/cloud-event.ts';
import { SwitchyardError } from '../../errors.ts';
import type { BrokerKey, CursorSpec, EventLog, LogEntry, LogHealth, Retention } from '../event-log.ts';
import { AppendWaiters } from './append-waiters.ts';
import { applyPragmas, applySchema, dataEncodingCode, type Synchronous } from './sqlite-schema.ts';
import { CursorPosition } from '../cursor-position.ts';
import { PendingRows } from './pending-rows.ts';
import { retentionFloor } from './sqlite-retention.ts';
import { entryOf, EVENTS_AFTER_SQL, type EventRow, listEntries } from './sqlite-event-rows.ts';
import type { CommitResult, WriteStep } from './sqlite-writer-protocol.ts';
import { BrokerTails } from './broker-tails.ts';
import { CommitHealth } from './commit-health.ts';
import { WriterClient } from './writer-client.ts';

export interface SqliteEventLogOptions {
  readonly path: string;
  readonly synchronous?: Synchronous;
  /** Events waiting for a commit before appends are refused (default 20,000). */
  readonly maxPendingEvents?: number | undefined;
  /** Bytes waiting for a commit before appends are refused (default 64 MiB). */
  readonly maxPendingBytes?: number;
  /** Recently appended entries kept in memory for cursors that are caught up, shared by the brokers (default 10,000; at least 1,000 each). */
  readonly tailEntries?: number;
  /** Where failing commits are reported. */
  readonly logger?: Logger | undefined;
}

/**
 * One commit at a time: what arrives while it runs forms the next group. Two outstanding made the
 * groups smaller and more frequent and cost throughput (8.9k against 12.4k events/s at 50
 * connections, docs/benchmarks.md).
 */
const MAX_COMMITS_IN_FLIGHT = 1;

/**
 * Cursor positions are written at most this often, not in every commit: with 1,000 triggers on a
 * broker, every commit carried up to 1,000 cursor updates. An acknowledgement resolves when its
 * position is written; until then a crash only means a redelivery.
 */
const CURSOR_PERSIST_MS = 50;


interface PendingAppend {
  readonly start: number;
  readonly count: number;
  readonly resolve: (offsets: string[]) => void;
  readonly reject: (error: Error) => void;
}

interface CursorState {
  readonly name: string;
  readonly brokerId: number;
  readonly onlyType: string | undefined;
  readonly position: CursorPosition;
  dirty: boolean;
}

export class SqliteEventLog implements EventLog {
  readonly #writer: WriterClient;
  readonly #reader: Database.Database;
  readonly #maxPendingEvents: number;
  readonly #maxPendingBytes: number;
  readonly #brokerIds = new Map<BrokerKey, number>();
  readonly #brokerNames = new Map<number, BrokerKey>();
  readonly #cursors = new Map<string, CursorState>();
  readonly #appendWaiters = new AppendWaiters();
  readonly #statements = new Map<string, Database.Statement>();
  readonly #tails: BrokerTails;
  #pending = new PendingRows();
  #pendingAppends: PendingAppend[] = [];
  #pendingAckWaiters: Array<() => void> = [];
  #pendingSteps: WriteStep[] = [];
  #pendingStepWaiters: Array<{ readonly start: number; readonly count: number; resolve: (results: number[]) => void; reject: (error: Error) => void }> = [];
  #pendingBytes = 0;
  readonly #dirtyCursors = new Set<CursorState>();
  #cursorsDue = false;
  #cursorTimer: NodeJS.Timeout | undefined;
  #commitsInFlight = 0;
  readonly #commits: CommitHealth;
  #flushScheduled = false;
  #closed = false;
  #closing = false;

  private constructor(reader: Database.Database, options: SqliteEventLogOptions) {
    this.#writer = new WriterClient({ path: options.path, synchronous: options.synchronous ?? 'full' }, () => this.#onWriterGone());
    this.#reader = reader;
    this.#maxPendingEvents = options.maxPendingEvents ?? 20_000;
    this.#maxPendingBytes = options.maxPendingBytes ?? 64 * 1024 * 1024;
    this.#tails = new BrokerTails(options.tailEntries ?? 10_000);
    this.#commits = new CommitHealth(() => this.write([['probe', [new Date().toISOString()]]]), options.logger);
  }

  static async open(options: SqliteEventLogOptions): Promise<SqliteEventLog> {
    mkdirSync(dirname(options.path), { recursive: true });
    // The schema is created here first so the reader can open it and errors surface synchronously.
    const reader = new Database(options.path);
    applyPragmas(reader, options.synchronous ?? 'full');
    applySchema(reader);
    const log = new SqliteEventLog(reader, options);
    await log.#writer.call({ op: 'registerBrokers', names: [] });
    return log;
  }

  health(): LogHealth {
    if (this.#closed) return { ready: false, reason: 'the store is closed' };
    if (this.#writer.failure !== undefined) return { ready: false, reason: this.#writer.failure };
    const commits = this.#commits.failure;
    return commits === undefined ? { ready: true } : { ready: false, reason: `the store cannot commit: ${commits}` };
  }

  async registerBrokers(brokers: readonly BrokerKey[]): Promise<void> {
    const ids = (await this.#writer.call({ op: 'registerBrokers', names: brokers })) as Record<string, number>;
    const [row] = this.query<{ seq: number | null }>('SELECT MAX(seq) AS seq FROM events');
    for (const [name, id] of Object.entries(ids)) {
      this.#brokerIds.set(name, id);
      this.#brokerNames.set(id, name);
    }
    this.#tails.register(Object.values(ids), row?.seq ?? 0);
  }

  append(broker: BrokerKey, events: readonly CloudEvent[]): Promise<string[]> {
    const brokerId = this.#brokerIds.get(broker);
    if (brokerId === undefined) return Promise.reject(new SwitchyardError('SWY_BROKER_NOT_FOUND', `no broker ${broker} in the store`));
    const unavailable = this.#unavailable();
    if (unavailable) return Promise.reject(unavailable);
    if (events.length === 0) return Promise.resolve([]);
    const attributes: string[] = [];
    let bytes = 0;
    for (const event of events) {
      const json = JSON.stringify(event.attributes);
      attributes.push(json);
      bytes += json.length + (event.data?.byteLength ?? 0);
    }
    if (this.#pending.count + events.length > this.#maxPendingEvents || this.#pendingBytes + bytes > this.#maxPendingBytes) {
      return Promise.reject(
        new SwitchyardError('SWY_OVERLOADED', 'too many events are waiting to be stored; retry shortly'),
      );
    }
    return new Promise<string[]>((resolve, reject) => {
      this.#pendingAppends.push({ start: this.#pending.count, count: events.length, resolve, reject });
      events.forEach((event, i) => this.#pending.add(brokerId, event, attributes[i] as string, dataEncodingCode(event.dataEncoding)));
      this.#pendingBytes += bytes;
      this.#scheduleFlush();
    });
  }

  async list(broker: BrokerKey, options: { readonly limit?: number; readonly after?: string } = {}): Promise<LogEntry[]> {
    return listEntries(this.#reader, broker, this.#requireBroker(broker), options);
  }

  async openCursor(cursor: CursorSpec): Promise<void> {
    const brokerId = this.#requireBroker(cursor.broker);
    await this.#writer.call({ op: 'openCursor', name: cursor.name, brokerId });
    const row = this.#reader.prepare('SELECT position, broker_id FROM cursors WHERE name = ?').get(cursor.name) as
      | { position: number; broker_id: number }
      | undefined;
    if (row === undefined) throw new SwitchyardError('SWY_INTERNAL', `cursor ${cursor.name} was not created`);
    this.#cursors.set(cursor.name, {
      name: cursor.name,
      brokerId: row.broker_id,
      onlyType: cursor.onlyType,
      position: new CursorPosition(row.position),
      dirty: false,
    });
  }

  async read(cursorName: string, max: number, waitMs = 0): Promise<LogEntry[]> {
    const cursor = this.#requireCursor(cursorName);
    const broker = this.#brokerNames.get(cursor.brokerId) as BrokerKey;
    const tail = this.#tails.get(cursor.brokerId);
    const select = (): LogEntry[] => {
      // A caught-up cursor reads the committed events still in memory: no query, no JSON parsing,
      // and many triggers on one broker share the same entries. One that needs a single type
      // passes over the others there without seeing them.
      const typed = cursor.onlyType === undefined ? undefined : tail?.afterOfType(cursor.position.delivered, max, cursor.onlyType);
      let entries: LogEntry[];
      if (typed !== undefined) entries = typed.entries;
      else {
        const cached = tail?.after(cursor.position.delivered, max);
        entries =
          cached ??
          this.query<EventRow>(EVENTS_AFTER_SQL, cursor.brokerId, cursor.position.delivered, max).map((row) => entryOf(broker, row));
      }
      cursor.position.handedOut(entries.map((entry) => Number(entry.offset)));
      if (typed !== undefined && cursor.position.skippedTo(typed.through)) this.#markDirty(cursor);
      if (tail !== undefined && entries.length > 0) this.#tails.release(cursor.brokerId, this.#cursors.values());
      return entries;
    };
    let entries = select();
    if (entries.length === 0 && waitMs > 0) {
      await this.#appendWaiters.wait(cursor.brokerId, cursor.onlyType, waitMs);
      entries = select();
    }
    return entries;
  }

  ack(cursorName: string, offsets: readonly string[]): Promise<void> {
    const cursor = this.#requireCursor(cursorName);
    const advanced = cursor.position.finished(offsets.map(Number));
    if (!advanced) return Promise.resolve();
    const unavailable = this.#unavailable();
    if (unavailable) return Promise.reject(unavailable);
    this.#markDirty(cursor);
    return new Promise<void>((resolve) => this.#pendingAckWaiters.push(resolve));
  }

  /** The cursor's position is written with the next cursor flush, at most CURSOR_PERSIST_MS from now. */
  #markDirty(cursor: CursorState): void {
    cursor.dirty = true;
    this.#dirtyCursors.add(cursor);
    if (this.#closing || this.#closed) return;
    this.#cursorTimer ??= setTimeout(() => {
      this.#cursorTimer = undefined;
      this.#cursorsDue = true;
      this.#scheduleFlush();
    }, CURSOR_PERSIST_MS);
  }

  async backlog(cursorName: string): Promise<number> {
    const cursor = this.#requireCursor(cursorName);
    const [row] = this.query<{ n: number }>('SELECT COUNT(*) AS n FROM events WHERE broker_id = ? AND seq > ?', cursor.brokerId, cursor.position.acked);
    return row?.n ?? 0;
  }

  async closeCursor(cursorName: string): Promise<void> {
    this.#cursors.delete(cursorName);
    await this.#writer.call({ op: 'closeCursor', name: cursorName });
  }

  async trim(broker: BrokerKey, retention: Retention): Promise<number> {
    const brokerId = this.#requireBroker(broker);
    const acked = [...this.#cursors.values()].filter((cursor) => cursor.brokerId === brokerId).map((cursor) => cursor.position.acked);
    const below = retentionFloor(this.#reader, brokerId, retention, acked);
    if (below === 0) return 0;
    return (await this.#writer.call({ op: 'trim', brokerId, belowSeq: below })) as number;
  }

  /**
   * Runs named writes in the next group commit and resolves with each step's row id (inserts) or
   * changed-row count. For the stores that share this file (the delivery store).
   */
  write(steps: readonly WriteStep[]): Promise<number[]> {
    const unavailable = this.#unavailable();
    if (unavailable) return Promise.reject(unavailable);
    return new Promise((resolve, reject) => {
      this.#pendingStepWaiters.push({ start: this.#pendingSteps.length, count: steps.length, resolve, reject });
      this.#pendingSteps.push(...steps);
      this.#scheduleFlush();
    });
  }

  /** Read-only queries on the main thread's connection, for the stores that share this file. */
  query<Row>(sql: string, ...params: ReadonlyArray<string | number | null>): Row[] {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#reader.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement.all(...params) as Row[];
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closing = true;
    if (this.#cursorTimer !== undefined) clearTimeout(this.#cursorTimer);
    this.#cursorTimer = undefined;
    this.#scheduleFlush();
    while (this.#commitsInFlight > 0 || this.#pending.count > 0 || this.#dirtyCursors.size > 0 || this.#pendingAckWaiters.length > 0 || this.#pendingSteps.length > 0) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (this.#writer.failure !== undefined) break;
      this.#scheduleFlush();
    }
    this.#closed = true;
    this.#commits.stop();
    await this.#writer.stop();
    this.#reader.close();
  }

  #requireBroker(broker: BrokerKey): number {
    const id = this.#brokerIds.get(broker);
    if (id === undefined) throw new SwitchyardError('SWY_BROKER_NOT_FOUND', `no broker ${broker} in the store`);
    return id;
  }

  #requireCursor(name: string): CursorState {
    const cursor = this.#cursors.get(name);
    if (cursor === undefined) throw new SwitchyardError('SWY_INTERNAL', `cursor ${name} is not open`);
    return cursor;
  }

  #unavailable(): SwitchyardError | undefined {
    if (this.#closed) return new SwitchyardError('SWY_STORE_UNAVAILABLE', 'the store is closing');
    if (this.#writer.failure !== undefined) {
      return new SwitchyardError('SWY_STORE_UNAVAILABLE', `the store is unavailable: ${this.#writer.failure}`);
    }
    return undefined;
  }

  #scheduleFlush(): void {
    if (this.#commitsInFlight >= MAX_COMMITS_IN_FLIGHT || this.#flushScheduled) return;
    this.#flushScheduled = true;
    // setImmediate, not a microtask: requests whose bodies arrive in the same I/O phase join this commit.
    setImmediate(() => {
      this.#flushScheduled = false;
      void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    if (this.#commitsInFlight >= MAX_COMMITS_IN_FLIGHT) return;
    const pending = this.#pending;
    const appends = this.#pendingAppends;
    const steps = this.#pendingSteps;
    const stepWaiters = this.#pendingStepWaiters;
    const cursors: Array<readonly [string, number]> = [];
    let ackWaiters: Array<() => void> = [];
    if (this.#cursorsDue || this.#closing) {
      this.#cursorsDue = false;
      for (const cursor of this.#dirtyCursors) {
        cursors.push([cursor.name, cursor.position.acked]);
        cursor.dirty = false;
      }
      this.#dirtyCursors.clear();
      ackWaiters = this.#pendingAckWaiters;
      this.#pendingAckWaiters = [];
    }
    if (pending.count === 0 && cursors.length === 0 && ackWaiters.length === 0 && steps.length === 0) return;
    this.#pending = new PendingRows();
    this.#pendingAppends = [];
    this.#pendingSteps = [];
    this.#pendingStepWaiters = [];
    this.#pendingBytes = 0;
    this.#commitsInFlight++;
    try {
      const rows = pending.pack();
      const result = (await this.#writer.call({ op: 'commit', rows, cursors, steps }, [rows.data])) as CommitResult;
      this.#commits.succeeded();
      for (const append of appends) {
        const offsets = new Array<string>(append.count);
        for (let i = 0; i < append.count; i++) offsets[i] = String(result.firstSeq + append.start + i);
        append.resolve(offsets);
      }
      for (const resolve of ackWaiters) resolve();
      for (const waiter of stepWaiters) waiter.resolve(result.stepResults.slice(waiter.start, waiter.start + waiter.count));
      const appendedTypes = this.#tails.addCommitted(pending, result.firstSeq, result.appendedAt, this.#brokerNames);
      for (const [brokerId, types] of appendedTypes) {
        this.#appendWaiters.notify(brokerId, types);
        this.#tails.release(brokerId, this.#cursors.values());
      }
    } catch (error) {
      this.#commits.failed((error as Error).message);
      const failure = new SwitchyardError('SWY_STORE_UNAVAILABLE', `the store failed to commit: ${(error as Error).message}`);
      for (const append of appends) append.reject(failure);
      for (const waiter of stepWaiters) waiter.reject(failure);
      for (const resolve of ackWaiters) resolve();
      for (const [name] of cursors) {
        const cursor = this.#cursors.get(name);
        if (cursor) {
          cursor.dirty = true;
          this.#dirtyCursors.add(cursor);
        }
      }
    } finally {
      this.#commitsInFlight--;
      if (this.#pending.count > 0 || this.#pendingSteps.length > 0 || (this.#cursorsDue && this.#dirtyCursors.size > 0)) this.#scheduleFlush();
    }
  }

  #onWriterGone(): void {
    const reason = this.#writer.failure ?? 'the writer thread is gone';
    const failure = new SwitchyardError('SWY_STORE_UNAVAILABLE', `the store is unavailable: ${reason}`);
    for (const append of this.#pendingAppends) append.reject(failure);
    for (const waiter of this.#pendingStepWaiters) waiter.reject(failure);
    this.#pendingAppends = [];
    this.#pendingSteps = [];
    this.#pendingStepWaiters = [];
    this.#pending = new PendingRows();
    this.#pendingBytes = 0;
  }
}
