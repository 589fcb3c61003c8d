/**
 * The event log: what every broker engine provides, whatever it stores events in.
 *
 * A broker's log is an append-only sequence of CloudEvents, each with an offset that orders it
 * within the broker. A cursor (one per trigger) reads the log in order; an entry it has read but
 * not acknowledged is read again after a restart, so delivery is at-least-once and never lossy.
 *
 * How each operation maps onto the two engines (DESIGN.md, "Backends"):
 *
 * | operation            | embedded (SQLite, WAL)                                   | Redis Streams (one stream per broker)                    |
 * |----------------------|----------------------------------------------------------|----------------------------------------------------------|
 * | append               | INSERT rows in one transaction per group commit           | one script per stream and tick, XADD per event; resolve  |
 * |                      |                                                          | on Redis's answer (append-batcher.ts)                    |
 * | list (newest N)      | SELECT … ORDER BY seq DESC LIMIT N                        | XREVRANGE key + - COUNT N                                |
 * | list (after offset)  | SELECT … WHERE seq > offset ORDER BY seq LIMIT N          | XRANGE key (offset + COUNT N                             |
 * | openCursor           | INSERT OR IGNORE a cursor row at the log's end            | XGROUP CREATE key group $ MKSTREAM (BUSYGROUP = exists)  |
 * | read (cursor, max)   | SELECT seq > delivered-mark LIMIT max; wait on append     | XREADGROUP GROUP g consumer COUNT max BLOCK ms STREAMS > |
 * | read (onlyType)      | the in-memory tail's per-type index; other types skipped  | as read: every entry handed out, the reader filters      |
 * | ack                  | cursor row advances over the contiguous acknowledged run  | XACK key group id…                                       |
 * | reclaim              | not needed: one process; a restart re-reads from the row  | XAUTOCLAIM key group consumer min-idle 0                 |
 * | trim (retention)     | DELETE seq < min(age/count cut, slowest cursor)           | XTRIM key MINID ~ id / MAXLEN ~ n                         |
 * | backlog              | COUNT(*) … WHERE seq > the cursor's acknowledged mark     | XINFO GROUPS: the group's lag + pending                  |
 * | closeCursor (delete) | DELETE the cursor row                                     | XGROUP DESTROY key group                                 |
 * | exclusive cursor     | nothing: one process                                      | a lease (SET NX PX); a new holder XAUTOCLAIMs idle 0 first|
 *
 * Deliberately not in the contract: how offsets are formed (opaque strings, ordered within one
 * broker only), transactions across brokers, and any notion of which trigger matches which event
 * (filtering is the dispatcher's).
 */
import type { CloudEvent } from '../cloudevents/cloud-event.ts';

/** `namespace/name` of a broker. */
export type BrokerKey = string;

export interface LogEntry {
  readonly offset: string;
  readonly broker: BrokerKey;
  /** When the engine stored the entry (ms since the epoch). */
  readonly appendedAt: number;
  readonly event: CloudEvent;
}

export interface Retention {
  /** Entries older than this many milliseconds may be removed. */
  readonly maxAgeMs?: number | undefined;
  /** At most this many entries are kept per broker. */
  readonly maxCount?: number | undefined;
}

export interface CursorSpec {
  /** Unique name, e.g. `trigger/<namespace>/<name>`. */
  readonly name: string;
  readonly broker: BrokerKey;
  /**
   * Only entries of this CloudEvents `type` can matter to the reader (its filter needs it). An
   * engine may then skip the other entries without handing them out; they count as acknowledged.
   * An engine that cannot skip hands out every entry, and the reader filters.
   */
  readonly onlyType?: string | undefined;
  /**
   * One reader at a time, so that entries are handed out in log order (an ordered trigger): on an
   * engine shared by several processes, only the one holding the cursor's lease reads (the others'
   * reads return nothing), and a reader taking over gets what the last one left unacknowledged
   * first, oldest first. The embedded engine has one process and needs nothing for it.
   */
  readonly exclusive?: boolean | undefined;
}

/** `warnings`: what an operator must know though events are accepted (the store lost its data once, say). */
export type LogHealth = { readonly ready: true; readonly warnings?: readonly string[] } | { readonly ready: false; readonly reason: string };

export interface EventLog {
  /** Makes the brokers known to the engine; appends to an unknown broker are refused. */
  registerBrokers(brokers: readonly BrokerKey[]): Promise<void>;

  /**
   * Appends the events durably, all or none, and resolves with their offsets only when they
   * would survive the process being killed. Rejects with a SwitchyardError: SWY_OVERLOADED when
   * too many appends are waiting (the caller answers 429), SWY_STORE_UNAVAILABLE when the engine
   * failed (503).
   */
  append(broker: BrokerKey, events: readonly CloudEvent[]): Promise<string[]>;

  /**
   * Entries oldest first: with `after`, those following that offset (up to `limit`); without it,
   * the newest `limit` (all when `limit` is omitted).
   */
  list(broker: BrokerKey, options?: { readonly limit?: number; readonly after?: string }): Promise<LogEntry[]>;

  /** Creates the cursor at the log's current end if it does not exist; an existing one keeps its place. */
  openCursor(cursor: CursorSpec): Promise<void>;

  /**
   * Up to `max` entries after those this process already read through the cursor, waiting up to
   * `waitMs` for an append when there are none. After a restart, reading starts again at the
   * first entry that was not acknowledged.
   */
  read(cursor: string, max: number, waitMs?: number): Promise<LogEntry[]>;

  /** Marks entries done for the cursor; resolves when that is durable. Order of acks is free. */
  ack(cursor: string, offsets: readonly string[]): Promise<void>;

  /**
   * How far behind the cursor's reader is: entries stored after the cursor's acknowledged place
   * (read and in flight, or not read yet), in this process or another. An engine whose place is a
   * contiguous mark counts entries acknowledged out of order beyond it as not yet done. For
   * backpressure (a source pauses above a bound), so cheap enough to ask a few times a second.
   */
  backlog(cursor: string): Promise<number>;

  /** Removes the cursor and its place. */
  closeCursor(cursor: string): Promise<void>;

  /**
   * Applies retention to one broker and resolves with the number of entries removed. Never
   * removes an entry that an open cursor has not acknowledged: retention bounds storage, it does
   * not drop undelivered events.
   */
  trim(broker: BrokerKey, retention: Retention): Promise<number>;

  health(): LogHealth;

  /** Finishes pending appends and releases the engine. */
  close(): Promise<void>;
}
