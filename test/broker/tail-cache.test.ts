import { describe, expect, it } from 'vitest';
import type { LogEntry } from '../../services/broker/event-log.ts';
import { BrokerTails } from '../../services/broker/embedded/broker-tails.ts';
import { CommittedEntry } from '../../services/broker/embedded/committed-entry.ts';
import { TailCache, type TailEntry } from '../../services/broker/embedded/tail-cache.ts';

const entry = (offset: number, type: string): TailEntry => ({
  offset: String(offset),
  broker: 'ns/b',
  appendedAt: 0,
  type,
  event: { attributes: { specversion: '1.0', id: String(offset), source: '/s', type } },
});
const offsets = (entries: readonly LogEntry[] | undefined) => entries?.map((e) => Number(e.offset));
const none = new Map<string, number>();

describe('the embedded tail cache', () => {
  it('lets everything go when no cursor reads the broker, and answers only from the newest entry on', () => {
    const tail = new TailCache(0, 10_000);
    for (let i = 1; i <= 5; i++) tail.push(entry(i, 't'));
    tail.release({ allTypes: Number.POSITIVE_INFINITY, byType: none });
    expect(tail.after(4, 10)).toBeUndefined();
    expect(tail.after(5, 10)).toEqual([]);
    tail.push(entry(6, 't'));
    expect(offsets(tail.after(5, 10))).toEqual([6]);
  });

  it('keeps what the slowest cursor has not been handed yet', () => {
    const tail = new TailCache(0, 10_000);
    for (let i = 1; i <= 10; i++) tail.push(entry(i, i % 2 ? 'x' : 'y'));
    tail.release({ allTypes: 4, byType: none });
    expect(offsets(tail.after(4, 100))).toEqual([5, 6, 7, 8, 9, 10]);
    expect(tail.after(3, 100)).toBeUndefined();
  });

  it('for cursors of one type, keeps that type and answers per type what the others lost', () => {
    const tail = new TailCache(0, 10_000);
    const types = ['y', 'x', 'y', 'x', 'y'];
    types.forEach((type, i) => tail.push(entry(i + 1, type)));
    // Only a cursor for x, handed up to 2: 1 (y), 2 (x) and 3 (y) can go, 4 (x) is still needed.
    tail.release({ allTypes: Number.POSITIVE_INFINITY, byType: new Map([['x', 2]]) });
    expect(tail.afterOfType(2, 10, 'x')).toEqual({ entries: [entry(4, 'x')], through: 5 });
    expect(tail.afterOfType(1, 10, 'x')).toBeUndefined();
    expect(tail.afterOfType(3, 10, 'y')).toEqual({ entries: [entry(5, 'y')], through: 5 });
    expect(tail.afterOfType(2, 10, 'y')).toBeUndefined();
    // A type never evicted is complete from the cache's start.
    expect(tail.afterOfType(0, 10, 'z')).toEqual({ entries: [], through: 5 });
    expect(tail.after(2, 10)).toBeUndefined();
    expect(offsets(tail.after(3, 10))).toEqual([4, 5]);
  });

  it('stays within its bound whatever the cursors, and forgets per-type records past 4,096 types', () => {
    const tail = new TailCache(0, 100);
    for (let i = 1; i <= 5000; i++) tail.push(entry(i, `type-${i}`));
    expect(offsets(tail.after(4900, 1000))?.length).toBe(100);
    expect(tail.after(4899, 1000)).toBeUndefined();
    // Past 4,096 evicted types the record restarted from a common floor: an old type is no longer known complete.
    expect(tail.afterOfType(0, 10, 'type-1')).toBeUndefined();
    expect(tail.afterOfType(4900, 10, 'type-4950')).toEqual({ entries: [entry(4950, 'type-4950')], through: 5000 });
  });
});

describe('the tails of several brokers', () => {
  const fill = (tail: TailCache | undefined, count: number) => {
    for (let i = 1; i <= count; i++) tail?.push(entry(i, 't'));
  };

  it('share one budget: three brokers registered together keep a third each, one keeps it all', () => {
    const shared = new BrokerTails(9000);
    shared.register([1, 2, 3], 0);
    fill(shared.get(1), 4000);
    expect(shared.get(1)?.after(999, 10_000)).toBeUndefined();
    expect(shared.get(1)?.after(1000, 10_000)).toHaveLength(3000);
    const alone = new BrokerTails(9000);
    alone.register([1], 0);
    fill(alone.get(1), 4000);
    expect(alone.get(1)?.after(0, 10_000)).toHaveLength(4000);
  });

  it('never give a broker fewer than 1,000 entries, however many there are', () => {
    const many = new BrokerTails(10_000);
    many.register(Array.from({ length: 100 }, (_, i) => i + 1), 0);
    fill(many.get(7), 1500);
    expect(many.get(7)?.after(500, 10_000)).toHaveLength(1000);
  });
});

describe('a committed entry', () => {
  it('parses the attributes it was written with once, and every reader gets the same event', () => {
    const data = Buffer.from('{"n":1}');
    const committed = new CommittedEntry('7', 'ns/b', 1000, 'com.example', '{"specversion":"1.0","id":"a","source":"/s","type":"com.example","count":3,"ok":true}', data, 'json');
    expect(committed.type).toBe('com.example');
    const event = committed.event;
    expect(event).toEqual({ attributes: { specversion: '1.0', id: 'a', source: '/s', type: 'com.example', count: 3, ok: true }, data, dataEncoding: 'json' });
    expect(committed.event).toBe(event);
  });
});
