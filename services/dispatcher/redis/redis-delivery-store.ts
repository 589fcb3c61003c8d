/**
 * The delivery store of the Redis engine: retries are BullMQ jobs (bullmq-retries.ts), dead
 * letters are JSON entries under keys from redis-keys.ts with one sorted index. A dead letter is
 * written with MULTI/EXEC, so an entry and its index entry exist together or not at all.
 */
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../../broker/redis/redis-keys.ts';
import { type StoredEvent, fromStoredEvent, toStoredEvent } from '../../broker/redis/stored-event.ts';
import type { Attempt, DeadLetter, DeadLetterQuery, DeadLetterSinkOutcome, DeliveryStore, RetryConsumer, RetryEntry, RetryHandler } from '../delivery-store.ts';
import type { BullRetries } from './bullmq-retries.ts';

interface StoredDeadLetter {
  readonly id: string;
  readonly broker: string;
  readonly trigger: string;
  readonly event: StoredEvent;
  readonly attempts: readonly Attempt[];
  readonly reason: string;
  readonly createdAt: number;
  readonly deadLetterSink: DeadLetterSinkOutcome;
}

const MGET_CHUNK = 500;

/** A redrive holds its claim this long at most: past it, a redrive that died part-way can be repeated. */
const REDRIVE_CLAIM_MS = 10 * 60_000;

/** Claims dead letter KEYS[1] (claim key KEYS[2]) for ARGV[1] ms, only while it exists and nobody holds it. */
const CLAIM = `
if redis.call('EXISTS', KEYS[1]) == 1 and redis.call('SET', KEYS[2], '1', 'PX', ARGV[1], 'NX') then return 1 end
return 0`;

export class RedisDeliveryStore implements DeliveryStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly retries: BullRetries,
  ) {}

  scheduleRetry(entry: Omit<RetryEntry, 'id'>): Promise<string> {
    return this.retries.schedule(entry);
  }

  consumeRetries(trigger: string, concurrency: number, handle: RetryHandler): RetryConsumer {
    return this.retries.consume(trigger, concurrency, handle);
  }

  listRetries(trigger?: string): Promise<RetryEntry[]> {
    return this.retries.list(trigger);
  }

  countRetries(trigger: string): Promise<number> {
    return this.retries.count(trigger);
  }

  /** The retry (if any) ends when its handler answers; BullMQ owns the job until then. */
  async deadLetter(entry: Omit<DeadLetter, 'id'>): Promise<string> {
    const id = String(await this.redis.incr(this.keys.deadLetterSeq));
    const stored: StoredDeadLetter = { ...entry, id, event: toStoredEvent(entry.event) };
    const results = await this.redis.multi().set(this.keys.deadLetter(id), JSON.stringify(stored)).zadd(this.keys.deadLetterIndex, id, id).exec();
    for (const [error] of results ?? []) if (error) throw error;
    return id;
  }

  async leaseDeadLetterSink(id: string, ms: number): Promise<boolean> {
    return (await this.redis.set(this.keys.deadLetterSinkLease(id), '1', 'PX', ms, 'NX')) === 'OK';
  }

  async setDeadLetterSinkOutcome(id: string, outcome: DeadLetterSinkOutcome): Promise<void> {
    const text = await this.redis.get(this.keys.deadLetter(id));
    if (text !== null) {
      const stored = JSON.parse(text) as StoredDeadLetter;
      // XX: an entry deleted meanwhile (purged, redriven) stays deleted.
      await this.redis.set(this.keys.deadLetter(id), JSON.stringify({ ...stored, deadLetterSink: outcome }), 'XX');
    }
    if (outcome.state !== 'pending') await this.redis.del(this.keys.deadLetterSinkLease(id));
  }

  async countDeadLetters(query: DeadLetterQuery): Promise<number> {
    return (await this.listDeadLetters({ ...query, limit: undefined })).length;
  }

  async listDeadLetters(query: DeadLetterQuery): Promise<DeadLetter[]> {
    // The index is scored by id: an operation's cursor (afterId) starts the scan past what it did.
    const from = query.afterId === undefined ? '-inf' : `(${query.afterId}`;
    const ids =
      query.ids !== undefined
        ? [...query.ids].filter((id) => query.afterId === undefined || Number(id) > Number(query.afterId)).sort((a, b) => Number(a) - Number(b))
        : await this.redis.zrangebyscore(this.keys.deadLetterIndex, from, '+inf');
    const found: DeadLetter[] = [];
    for (let start = 0; start < ids.length; start += MGET_CHUNK) {
      const chunk = ids.slice(start, start + MGET_CHUNK);
      const texts = await this.redis.mget(...chunk.map((id) => this.keys.deadLetter(id)));
      for (const text of texts) {
        if (text === null) continue;
        const entry = deadLetterOf(JSON.parse(text) as StoredDeadLetter);
        if (matches(entry, query)) found.push(entry);
        if (query.limit !== undefined && found.length >= query.limit) return found;
      }
    }
    return found;
  }

  async deleteDeadLetters(ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const multi = this.redis.multi();
    for (const id of ids) multi.del(this.keys.deadLetter(id)).zrem(this.keys.deadLetterIndex, id).del(this.keys.deadLetterClaim(id));
    const results = (await multi.exec()) ?? [];
    let deleted = 0;
    for (let i = 0; i < results.length; i += 3) {
      const [error, count] = results[i] ?? [null, 0];
      if (error) throw error;
      deleted += Number(count);
    }
    return deleted;
  }

  /**
   * The claim makes two redrives at once take an entry once; the job comes before the delete, so
   * a crash in between leaves the dead letter too (redrivable again once the claim lapses: a
   * second delivery, never a loss). The job's id is the dead letter's, so a repeated add while the
   * first job waits adds nothing.
   */
  async redriveDeadLetters(redrives: ReadonlyArray<{ readonly id: string; readonly retry: Omit<RetryEntry, 'id'> }>): Promise<Array<string | undefined>> {
    // Commands sent together go as one pipeline (auto-pipelining): a chunk costs a few round trips.
    const claimed = await Promise.all(redrives.map(({ id }) => this.claimDeadLetter(id, REDRIVE_CLAIM_MS)));
    const retryIds = await Promise.all(redrives.map(({ id, retry }, i) => (claimed[i] ? this.retries.schedule(retry, `redrive-${id}`) : undefined)));
    await this.deleteDeadLetters(redrives.filter((_, i) => claimed[i]).map(({ id }) => id));
    return retryIds;
  }

  async claimDeadLetter(id: string, ms: number): Promise<boolean> {
    return Number(await this.redis.eval(CLAIM, 2, this.keys.deadLetter(id), this.keys.deadLetterClaim(id), String(ms))) === 1;
  }

  async releaseDeadLetter(id: string): Promise<void> {
    await this.redis.del(this.keys.deadLetterClaim(id));
  }

  close(): Promise<void> {
    return this.retries.close();
  }
}

function deadLetterOf(stored: StoredDeadLetter): DeadLetter {
  return { ...stored, event: fromStoredEvent(stored.event) };
}

function matches(entry: DeadLetter, query: DeadLetterQuery): boolean {
  const code = entry.event.attributes['knativeerrorcode'];
  return (
    (query.broker === undefined || entry.broker === query.broker) &&
    (query.trigger === undefined || entry.trigger === query.trigger) &&
    (query.type === undefined || entry.event.attributes['type'] === query.type) &&
    (query.since === undefined || entry.createdAt >= query.since) &&
    (query.createdUntil === undefined || entry.createdAt <= query.createdUntil) &&
    (query.code === undefined || (code !== undefined && Number(code) === query.code))
  );
}
