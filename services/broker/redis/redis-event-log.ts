/**
 * The event log on Redis Streams (event-log.ts maps each operation): one stream per broker, one
 * consumer group per cursor, this process one consumer in each group. Several processes reading
 * the same cursor share its entries; an entry stays in its group's pending list until it is
 * acknowledged, so one held by a process that died is claimed by another after `claimIdleMs`.
 *
 * A process keeps the entries it is still working on from looking idle by re-claiming them for
 * itself (XCLAIM … JUSTID) every third of `claimIdleMs`: only a dead process's entries go idle,
 * however long a delivery takes.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { CloudEvent } from '../../cloudevents/cloud-event.ts';
import { SwitchyardError } from '../../errors.ts';
import type { BrokerKey, CursorSpec, EventLog, LogEntry, LogHealth, Retention } from '../event-log.ts';
import type { RedisLocation } from '../store-url.ts';
import { type RawStreamEntry, fieldMap, isRawStreamEntries, openConnection, send, streamsReply } from './redis-connection.ts';
import type { RedisKeys } from './redis-keys.ts';
import { streamIdTime } from './stream-id.ts';
import { trimStream } from './stream-trim.ts';
import { eventFromFields } from './stored-event.ts';
import { AppendBatcher } from './append-batcher.ts';
import { StreamWatcher } from './stream-watcher.ts';
import { StoreEpoch, type StoreLostListener } from './store-epoch.ts';
import { CursorLease } from './cursor-lease.ts';
import { createGroup, forgetGoneConsumers, isNoGroup } from './consumer-groups.ts';

export interface RedisEventLogOptions {
  readonly location: RedisLocation;
  readonly keys: RedisKeys;
  /** Events waiting for Redis's answer before appends are refused with SWY_OVERLOADED (default 20,000). */
  readonly maxPendingEvents?: number | undefined;
  /** A consumer idle this long with nothing pending is removed from its group (default the larger of 10 minutes and 10 × claim-idle). */
  readonly consumerGoneMs?: number | undefined;
  /** Where the engine reports that Redis lost its data. */
  readonly logger?: Logger | undefined;
}

interface Cursor {
  readonly name: string;
  readonly broker: BrokerKey;
  readonly key: string;
  /** After a restart, this consumer's own pending entries are handed out first, from this id on. */
  ownPendingAfter: string | undefined;
  /** Where the next XAUTOCLAIM scan starts, and when it may run. */
  claimFrom: string;
  nextClaimAt: number;
  /** Entries handed out and not acknowledged, with when they were last claimed by this process. */
  readonly held: Map<string, number>;
  /** An exclusive cursor's: this process reads it only while holding the lease (cursor-lease.ts). */
  readonly lease: CursorLease | undefined;
  /** Just took the lease: claim whatever the last holder left pending, whatever its idle time, first. */
  takeover: boolean;
}

/** A consumer with nothing pending and idle this long belongs to a process that is gone. */
const CONSUMER_GONE_MS = 10 * 60_000;

/** How often the engine checks that Redis still holds its data (a GET): a loss is repaired within this. */
const EPOCH_CHECK_MS = 1000;

export class RedisEventLog implements EventLog {
  readonly #main: Redis;
  readonly #watcher: StreamWatcher;
  readonly #batcher: AppendBatcher;
  readonly #location: RedisLocation;
  readonly #keys: RedisKeys;
  readonly #brokers = new Set<BrokerKey>();
  readonly #cursors = new Map<string, Cursor>();
  readonly #maxPendingEvents: number;
  readonly #consumerGoneMs: number;
  readonly #heartbeat: NodeJS.Timeout;
  readonly #epoch: StoreEpoch;
  readonly #epochCheck: NodeJS.Timeout;
  readonly #logger: Logger | undefined;
  #pending = 0;
  /** Woken when no append is waiting for Redis (close waits for that). */
  readonly #drained: Array<() => void> = [];
  #closed = false;

  private constructor(main: Redis, blocking: Redis, epoch: StoreEpoch, options: RedisEventLogOptions) {
    this.#main = main;
    this.#epoch = epoch;
    this.#logger = options.logger;
    this.#batcher = new AppendBatcher(main);
    this.#location = options.location;
    this.#keys = options.keys;
    this.#maxPendingEvents = options.maxPendingEvents ?? 20_000;
    this.#consumerGoneMs = options.consumerGoneMs ?? Math.max(CONSUMER_GONE_MS, 10 * options.location.claimIdleMs);
    this.#watcher = new StreamWatcher(blocking, main, () => [...this.#brokers].map((b) => this.#keys.stream(b)));
    this.#heartbeat = setInterval(() => void this.#keepHeld(), Math.max(50, Math.floor(this.#location.claimIdleMs / 3)));
    this.#heartbeat.unref();
    epoch.onLost(() => this.#storeLost());
    this.#epochCheck = setInterval(() => void this.#epoch.check().catch(() => undefined), EPOCH_CHECK_MS);
    this.#epochCheck.unref();
  }

  static async open(options: RedisEventLogOptions): Promise<RedisEventLog> {
    const main = await openConnection(options.location, { enableAutoPipelining: true });
    try {
      const epoch = new StoreEpoch(main, options.keys.epoch);
      await epoch.open();
      const blocking = await openConnection(options.location, { connectionName: `switchyard:${options.location.consumer}:watch` });
      return new RedisEventLog(main, blocking, epoch, options);
    } catch (error) {
      main.disconnect();
      throw error;
    }
  }

  /** The connection for the rest of the Redis engine (the delivery store shares it). */
  get connection(): Redis {
    return this.#main;
  }

  health(): LogHealth {
    if (this.#closed) return { ready: false, reason: 'the store is closed' };
    if (this.#main.status !== 'ready') return { ready: false, reason: `Redis at ${this.#location.display} is not reachable (connection ${this.#main.status})` };
    const { count, lastAt } = this.#epoch.losses;
    if (count === 0) return { ready: true };
    return { ready: true, warnings: [`${this.#lossSummary(count, lastAt)}; events accepted since are delivered`] };
  }

  /** Runs when the store is found emptied (once per loss, after the consumer groups are back). */
  onStoreLost(listener: StoreLostListener): void {
    this.#epoch.onLost(listener);
  }

  #lossSummary(count: number, lastAt: number | undefined): string {
    const when = lastAt === undefined ? '' : `, last at ${new Date(lastAt).toISOString()}`;
    return `Redis at ${this.#location.display} lost its data ${count === 1 ? 'once' : `${count} times`}${when} (restarted without persistence, flushed or failed over): the events it held that were not delivered yet, the retries and the dead letters are gone`;
  }

  /**
   * Every open cursor's consumer group is created again at the start of its (new) stream, so the
   * events accepted after the loss are delivered; entries held from before are forgotten.
   */
  async #storeLost(): Promise<void> {
    for (const cursor of this.#cursors.values()) await this.#restartGroup(cursor);
    const { count, lastAt } = this.#epoch.losses;
    this.#logger?.error(
      { store: this.#location.display, losses: count, cursors: this.#cursors.size },
      `${this.#lossSummary(count, lastAt)}. The consumer groups were created again and delivery goes on with the events accepted since. Run Redis with persistence (appendonly yes, appendfsync always) so that this cannot happen`,
    );
  }

  /**
   * A read found its consumer group missing: the store lost its data (repaired by #storeLost), or
   * only the group was removed, which is repaired here from the stream's start: every entry may be
   * delivered again, none is skipped.
   */
  async #regroup(cursor: Cursor): Promise<void> {
    if (await this.#epoch.check()) return;
    this.#logger?.warn({ cursor: cursor.name, stream: cursor.key }, 'the consumer group of this trigger was missing from Redis; it was created again at the start of the stream, so its events may be delivered again');
    await this.#restartGroup(cursor);
  }

  /** The cursor's group again at the stream's start; what this process held of the old one is forgotten. */
  async #restartGroup(cursor: Cursor): Promise<void> {
    cursor.held.clear();
    cursor.ownPendingAfter = undefined;
    cursor.claimFrom = '0-0';
    await createGroup(this.#main, cursor.key, cursor.name, '0');
  }

  /** Brokers are this process's configuration; their streams appear with the first append or cursor. */
  async registerBrokers(brokers: readonly BrokerKey[]): Promise<void> {
    for (const broker of brokers) this.#brokers.add(broker);
  }

  append(broker: BrokerKey, events: readonly CloudEvent[]): Promise<string[]> {
    if (!this.#brokers.has(broker)) return Promise.reject(new SwitchyardError('SWY_BROKER_NOT_FOUND', `no broker ${broker} in the store`));
    if (this.#closed) return Promise.reject(new SwitchyardError('SWY_STORE_UNAVAILABLE', 'the store is closing; retry shortly'));
    if (events.length === 0) return Promise.resolve([]);
    if (this.#main.status !== 'ready') return Promise.reject(this.#unavailable(this.#main.status));
    if (this.#pending + events.length > this.#maxPendingEvents) {
      return Promise.reject(new SwitchyardError('SWY_OVERLOADED', 'too many events are waiting to be stored; retry shortly'));
    }
    this.#pending += events.length;
    const key = this.#keys.stream(broker);
    return this.#batcher.append(key, events).then(
      (ids) => {
        this.#appended(events.length);
        this.#watcher.notify(key);
        return ids;
      },
      (error: unknown) => {
        this.#appended(events.length);
        throw error instanceof SwitchyardError ? error : this.#unavailable((error as Error).message);
      },
    );
  }

  #appended(count: number): void {
    this.#pending -= count;
    if (this.#pending === 0) for (const resolve of this.#drained.splice(0)) resolve();
  }

  #unavailable(why: string): SwitchyardError {
    return new SwitchyardError('SWY_STORE_UNAVAILABLE', `Redis at ${this.#location.display} is not available (${why}); retry shortly`);
  }

  async list(broker: BrokerKey, options: { readonly limit?: number; readonly after?: string } = {}): Promise<LogEntry[]> {
    this.#requireBroker(broker);
    const key = this.#keys.stream(broker);
    const count = options.limit === undefined ? [] : ['COUNT', String(options.limit)];
    if (options.after !== undefined) {
      return this.#entries(broker, await send(this.#main, 'XRANGE', [key, `(${options.after}`, '+', ...count], true));
    }
    const newest = this.#entries(broker, await send(this.#main, 'XREVRANGE', [key, '+', '-', ...count], true));
    return newest.reverse();
  }

  async openCursor(spec: CursorSpec): Promise<void> {
    this.#requireBroker(spec.broker);
    const key = this.#keys.stream(spec.broker);
    await createGroup(this.#main, key, spec.name, '$');
    const lease = spec.exclusive === true ? new CursorLease(this.#main, this.#keys.cursorLease(spec.name), this.#location.consumer, this.#location.claimIdleMs) : undefined;
    this.#cursors.set(spec.name, { name: spec.name, broker: spec.broker, key, ownPendingAfter: '0', claimFrom: '0-0', nextClaimAt: 0, held: new Map(), lease, takeover: false });
  }

  async read(cursorName: string, max: number, waitMs = 0): Promise<LogEntry[]> {
    const cursor = this.#requireCursor(cursorName);
    if (max <= 0) return [];
    if (cursor.lease !== undefined && !cursor.lease.held) {
      if (!(await cursor.lease.acquire())) {
        // Another process reads this cursor; ask again after a while.
        if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
        return [];
      }
      cursor.takeover = true;
      cursor.claimFrom = '0-0';
    }
    if (cursor.takeover) {
      const claimed = await this.#claim(cursor, max, 0);
      if (cursor.claimFrom === '0-0') cursor.takeover = false;
      if (claimed.length > 0 || cursor.takeover) return this.#handOut(cursor, claimed);
    }
    if (cursor.ownPendingAfter !== undefined) {
      const own = await this.#readGroup(cursor, max, cursor.ownPendingAfter);
      const last = own[own.length - 1];
      if (last !== undefined) {
        cursor.ownPendingAfter = last.offset;
        return this.#handOut(cursor, own.filter((entry) => !cursor.held.has(entry.offset)));
      }
      cursor.ownPendingAfter = undefined;
    }
    if (Date.now() >= cursor.nextClaimAt) {
      const claimed = await this.#claim(cursor, max);
      if (claimed.length > 0) return this.#handOut(cursor, claimed);
    }
    let entries = await this.#readGroup(cursor, max, '>');
    if (entries.length === 0 && waitMs > 0 && !this.#closed) {
      await this.#watcher.wait(cursor.key, waitMs);
      entries = await this.#readGroup(cursor, max, '>');
    }
    return this.#handOut(cursor, entries);
  }

  async #readGroup(cursor: Cursor, max: number, from: string): Promise<LogEntry[]> {
    let reply: unknown;
    try {
      reply = await send(this.#main, 'XREADGROUP', ['GROUP', cursor.name, this.#location.consumer, 'COUNT', String(max), 'STREAMS', cursor.key, from], true);
    } catch (error) {
      if (!isNoGroup(error)) throw error;
      await this.#regroup(cursor);
      return [];
    }
    const [stream] = streamsReply(reply);
    if (stream === undefined) return [];
    // Entries trimmed away while pending come back without fields: nothing is left to deliver.
    const gone = stream[1].filter(([, fields]) => fields === null).map(([id]) => id.toString());
    if (gone.length > 0) await send(this.#main, 'XACK', [cursor.key, cursor.name, ...gone]);
    return this.#entries(cursor.broker, stream[1].filter(([, fields]) => fields !== null));
  }

  /** Takes over entries that another consumer (a process that died) left idle `minIdleMs`. */
  async #claim(cursor: Cursor, max: number, minIdleMs = this.#location.claimIdleMs): Promise<LogEntry[]> {
    let reply: [Buffer, unknown, Buffer[] | undefined];
    try {
      reply = (await send(this.#main, 'XAUTOCLAIM', [cursor.key, cursor.name, this.#location.consumer, String(minIdleMs), cursor.claimFrom, 'COUNT', String(max)], true)) as [
        Buffer,
        unknown,
        Buffer[] | undefined,
      ];
    } catch (error) {
      if (!isNoGroup(error)) throw error;
      await this.#regroup(cursor);
      return [];
    }
    cursor.claimFrom = reply[0].toString();
    // A whole pass over the pending list is done: the next one waits half the idle time.
    if (cursor.claimFrom === '0-0') {
      cursor.nextClaimAt = Date.now() + this.#location.claimIdleMs / 2;
      await forgetGoneConsumers(this.#main, cursor.key, cursor.name, this.#location.consumer, this.#consumerGoneMs);
    }
    const entries = isRawStreamEntries(reply[1]) ? reply[1] : [];
    const deleted = (reply[2] ?? []).map(String);
    if (deleted.length > 0) await send(this.#main, 'XACK', [cursor.key, cursor.name, ...deleted]);
    return this.#entries(cursor.broker, entries.filter(([id, fields]) => fields !== null && !cursor.held.has(id.toString())));
  }

  #handOut(cursor: Cursor, entries: LogEntry[]): LogEntry[] {
    const now = Date.now();
    for (const entry of entries) cursor.held.set(entry.offset, now);
    return entries;
  }

  async #keepHeld(): Promise<void> {
    const stale = Date.now() - this.#location.claimIdleMs / 3;
    for (const cursor of this.#cursors.values()) {
      if (cursor.lease?.held === true && this.#main.status === 'ready') await this.#renewLease(cursor, cursor.lease);
      const ids = [...cursor.held].filter(([, at]) => at <= stale).map(([id]) => id);
      if (ids.length === 0 || this.#main.status !== 'ready') continue;
      try {
        await send(this.#main, 'XCLAIM', [cursor.key, cursor.name, this.#location.consumer, '0', ...ids, 'JUSTID']);
        const now = Date.now();
        for (const id of ids) if (cursor.held.has(id)) cursor.held.set(id, now);
      } catch {
        // Redis is away; the next beat tries again.
      }
    }
  }

  async #renewLease(cursor: Cursor, lease: CursorLease): Promise<void> {
    try {
      if (!(await lease.renew())) this.#logger?.warn({ cursor: cursor.name }, 'this process lost the lease on an ordered trigger (Redis was away longer than claim-idle and another process took it); it stops reading it');
    } catch {
      // Redis is away; the next beat tries again (the lease lasts claim-idle).
    }
  }

  async ack(cursorName: string, offsets: readonly string[]): Promise<void> {
    const cursor = this.#requireCursor(cursorName);
    if (offsets.length === 0) return;
    for (const offset of offsets) cursor.held.delete(offset);
    await this.#main.xack(cursor.key, cursor.name, ...offsets);
  }

  async backlog(cursorName: string): Promise<number> {
    const cursor = this.#requireCursor(cursorName);
    const groups = (await send(this.#main, 'XINFO', ['GROUPS', cursor.key])) as unknown[][];
    const group = groups.map(fieldMap).find((info) => String(info.get('name')) === cursor.name);
    if (group === undefined) return 0;
    const lag = group.get('lag');
    // Redis cannot tell the lag after entries were deleted from the middle of the stream (null):
    // the stream's length is then an upper bound.
    const unread = lag === null || lag === undefined ? Number(await send(this.#main, 'XLEN', [cursor.key])) : Number(lag);
    return unread + Number(group.get('pending') ?? 0);
  }

  async closeCursor(cursorName: string): Promise<void> {
    const cursor = this.#requireCursor(cursorName);
    await cursor.lease?.release();
    await send(this.#main, 'XGROUP', ['DESTROY', cursor.key, cursor.name]);
    this.#cursors.delete(cursorName);
  }

  /** Retention, never past what a consumer group still needs (stream-trim.ts). */
  async trim(broker: BrokerKey, retention: Retention): Promise<number> {
    this.#requireBroker(broker);
    return trimStream(this.#main, this.#keys.stream(broker), retention);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#heartbeat);
    clearInterval(this.#epochCheck);
    if (this.#pending > 0) await new Promise<void>((resolve) => this.#drained.push(resolve));
    // Handed over at once rather than after claim-idle: another process goes on with the ordered triggers.
    for (const cursor of this.#cursors.values()) await cursor.lease?.release().catch(() => undefined);
    await this.#watcher.close();
    await this.#main.quit().catch(() => this.#main.disconnect());
  }

  #entries(broker: BrokerKey, reply: unknown): LogEntry[] {
    if (!isRawStreamEntries(reply)) throw new Error('unexpected reply from Redis to a stream read');
    return reply.map(([id, fields]: RawStreamEntry) => {
      const offset = id.toString();
      return { offset, broker, appendedAt: streamIdTime(offset), event: eventFromFields(fields ?? []) };
    });
  }

  #requireBroker(broker: BrokerKey): void {
    if (!this.#brokers.has(broker)) throw new SwitchyardError('SWY_BROKER_NOT_FOUND', `no broker ${broker} in the store`);
  }

  #requireCursor(name: string): Cursor {
    const cursor = this.#cursors.get(name);
    if (cursor === undefined) throw new SwitchyardError('SWY_INTERNAL', `cursor ${name} is not open`);
    return cursor;
  }
}
