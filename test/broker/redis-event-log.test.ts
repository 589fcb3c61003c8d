import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudEvent } from '../../services/cloudevents/cloud-event.ts';
import { RedisEventLog } from '../../services/broker/redis/redis-event-log.ts';
import { RedisKeys } from '../../services/broker/redis/redis-keys.ts';
import { type RedisLocation, parseStoreUrl } from '../../services/broker/store-url.ts';
import { SwitchyardError } from '../../services/errors.ts';
import { type TestRedis, startRedis } from '../support/redis-server.ts';
import { waitFor } from '../support/wait-for.ts';
import { runEventLogSuite } from './event-log.contract.ts';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => redis.stop());

function openLog(store: string): Promise<RedisEventLog> {
  const location = parseStoreUrl(store) as RedisLocation;
  return RedisEventLog.open({ location, keys: new RedisKeys(location.prefix) });
}

runEventLogSuite('Redis Streams', async () => {
  const store = redis.storeUrl({ consumer: 'conformance' });
  return { open: () => openLog(store), cleanup: async () => undefined };
});

const event = (id: string): CloudEvent => ({ attributes: { specversion: '1.0', id, source: '/redis', type: 't' } });
const ids = (entries: ReadonlyArray<{ event: CloudEvent }>) => entries.map((e) => e.event.attributes['id']);

/** Processes sharing one Redis prefix: each a consumer of cursor trigger/t on broker ns/b. */
async function consumers(names: readonly string[], claimIdleMs?: number): Promise<RedisEventLog[]> {
  const prefix = redis.freshPrefix();
  const logs: RedisEventLog[] = [];
  for (const consumer of names) {
    const log = await openLog(redis.storeUrl({ prefix, consumer, claimIdleMs }));
    await log.registerBrokers(['ns/b']);
    await log.openCursor({ name: 'trigger/t', broker: 'ns/b' });
    logs.push(log);
  }
  return logs;
}

describe('Redis event log', () => {
  it('two consumers of one cursor share its entries, each entry handed to one of them', async () => {
    const [a, b] = (await consumers(['a', 'b'])) as [RedisEventLog, RedisEventLog];
    try {
      await a.append('ns/b', Array.from({ length: 10 }, (_, i) => event(String(i))));
      const fromA = await a.read('trigger/t', 4);
      const fromB = await b.read('trigger/t', 100);
      expect(ids(fromA)).toEqual(['0', '1', '2', '3']);
      expect(ids(fromB)).toEqual(['4', '5', '6', '7', '8', '9']);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('an exclusive cursor is read by one consumer at a time; the next gets what the last left unacknowledged first', async () => {
    const prefix = redis.freshPrefix();
    const open = async (consumer: string) => {
      const log = await openLog(redis.storeUrl({ prefix, consumer }));
      await log.registerBrokers(['ns/b']);
      await log.openCursor({ name: 'trigger/o', broker: 'ns/b', exclusive: true });
      return log;
    };
    const first = await open('first');
    const second = await open('second');
    try {
      await first.append('ns/b', Array.from({ length: 6 }, (_, i) => event(String(i))));
      const read = await first.read('trigger/o', 3);
      expect(ids(read)).toEqual(['0', '1', '2']);
      await first.ack('trigger/o', [read[1]?.offset as string]);
      // The second waits (about waitMs) and gets nothing while the first holds the lease.
      const started = Date.now();
      expect(await second.read('trigger/o', 10, 200)).toEqual([]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(190);
      // Closing hands the lease over at once.
      await first.close();
      const taken: unknown[] = [];
      for (let i = 0; i < 10 && taken.length < 5; i++) taken.push(...ids(await second.read('trigger/o', 10)));
      expect(taken).toEqual(['0', '2', '3', '4', '5']);
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('entries a consumer left unacknowledged are claimed by another after the idle time, and only then', async () => {
    const [dead, survivor] = (await consumers(['dead', 'survivor'], 300)) as [RedisEventLog, RedisEventLog];
    try {
      await dead.append('ns/b', [event('held-1'), event('held-2')]);
      expect(ids(await dead.read('trigger/t', 10))).toEqual(['held-1', 'held-2']);
      await dead.close(); // as if killed: nothing acknowledged
      expect(await survivor.read('trigger/t', 10)).toEqual([]);
      await new Promise((resolve) => setTimeout(resolve, 350));
      const claimed = await survivor.read('trigger/t', 10);
      expect(ids(claimed)).toEqual(['held-1', 'held-2']);
      await survivor.ack('trigger/t', claimed.map((e) => e.offset));
      await new Promise((resolve) => setTimeout(resolve, 350));
      expect(await survivor.read('trigger/t', 10)).toEqual([]);
    } finally {
      await dead.close();
      await survivor.close();
    }
  });

  it('a live consumer keeps its slow entries: they are not claimed while it works on them', async () => {
    const [slow, other] = (await consumers(['slow', 'other'], 300)) as [RedisEventLog, RedisEventLog];
    try {
      await slow.append('ns/b', [event('long-delivery')]);
      expect(ids(await slow.read('trigger/t', 10))).toEqual(['long-delivery']);
      for (let i = 0; i < 6; i++) {
        await new Promise((resolve) => setTimeout(resolve, 150));
        expect(await other.read('trigger/t', 10)).toEqual([]);
      }
    } finally {
      await slow.close();
      await other.close();
    }
  });

  it('answers SWY_STORE_UNAVAILABLE while Redis is away, reports not ready, and recovers by itself', async () => {
    const own = await startRedis({ private: true });
    const log = await openLog(own.storeUrl());
    try {
      await log.registerBrokers(['ns/b']);
      await log.append('ns/b', [event('before')]);
      await own.kill();
      const refused = await log.append('ns/b', [event('while-away')]).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(SwitchyardError);
      expect((refused as SwitchyardError).code).toBe('SWY_STORE_UNAVAILABLE');
      await waitFor(() => log.health().ready === false, 'the log to report Redis away');
      expect(log.health()).toMatchObject({ reason: expect.stringMatching(/not reachable/) });
      await own.start();
      await waitFor(() => log.health().ready, 'the log to reconnect by itself');
      expect(await log.append('ns/b', [event('after')])).toHaveLength(1);
    } finally {
      await log.close();
      await own.stop();
    }
  });
});

describe('connecting to Redis', () => {
  it('a password is sent; a wrong one or an unreachable server is a clear SWY_STORE_OPEN_FAILED at start', async () => {
    const guarded = await startRedis({ args: ['--requirepass', 's3cret'] });
    try {
      const port = new URL(guarded.url).port;
      const log = await openLog(`redis://:s3cret@127.0.0.1:${port}?prefix=${guarded.freshPrefix()}`);
      await log.registerBrokers(['ns/b']);
      expect(await log.append('ns/b', [event('authenticated')])).toHaveLength(1);
      await log.close();
      const { openStores } = await import('../../services/open-stores.ts');
      const wrong = await openStores(parseStoreUrl(`redis://:nope@127.0.0.1:${port}`)).catch((error: unknown) => error);
      expect(wrong).toMatchObject({ code: 'SWY_STORE_OPEN_FAILED', message: expect.stringMatching(/cannot connect to Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\/?: .*(WRONGPASS|invalid)/) });
      const started = Date.now();
      const nobody = await openStores(parseStoreUrl('redis://127.0.0.1:1')).catch((error: unknown) => error);
      expect(nobody).toMatchObject({ code: 'SWY_STORE_OPEN_FAILED', message: expect.stringContaining('cannot connect to Redis at redis://127.0.0.1:1') });
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await guarded.stop();
    }
  });
});

describe('consumers of processes that are gone', () => {
  it('are removed from the group once they have nothing pending and stayed idle; a consumer holding entries stays', async () => {
    const prefix = redis.freshPrefix();
    const open = async (consumer: string) => {
      const location = parseStoreUrl(redis.storeUrl({ prefix, consumer, claimIdleMs: 10_000 })) as RedisLocation;
      const log = await RedisEventLog.open({ location, keys: new RedisKeys(location.prefix), consumerGoneMs: 300 });
      await log.registerBrokers(['ns/b']);
      await log.openCursor({ name: 'trigger/t', broker: 'ns/b' });
      return log;
    };
    const done = await open('done');
    const holding = await open('holding');
    const survivor = await open('survivor');
    try {
      await done.append('ns/b', [event('1')]);
      await done.ack('trigger/t', (await done.read('trigger/t', 1)).map((e) => e.offset));
      await done.close();
      await survivor.append('ns/b', [event('2')]);
      expect(await holding.read('trigger/t', 1)).toHaveLength(1);
      await holding.close(); // gone with an entry pending
      const { Redis } = await import('ioredis');
      const client = new Redis(redis.url);
      const consumers = async () =>
        ((await client.call('XINFO', 'CONSUMERS', `${prefix}stream:ns/b`, 'trigger/t')) as unknown[][]).map((fields) => String(fields[1]));
      try {
        expect((await consumers()).sort()).toEqual(['done', 'holding']);
        await new Promise((resolve) => setTimeout(resolve, 400));
        // The survivor's first claim pass: nothing is idle for claim-idle yet, so it takes nothing;
        // it forgets 'done' (nothing pending) and keeps 'holding' (its entry waits to be claimed).
        expect(await survivor.read('trigger/t', 10)).toEqual([]);
        expect((await consumers()).sort()).toEqual(['holding', 'survivor']);
      } finally {
        client.disconnect();
      }
    } finally {
      await survivor.close();
    }
  });
});
