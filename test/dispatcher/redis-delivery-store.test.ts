import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStores } from '../../services/open-stores.ts';
import { parseStoreUrl } from '../../services/broker/store-url.ts';
import { type TestRedis, startRedis } from '../support/redis-server.ts';
import { runDeliveryStoreSuite } from './delivery-store.contract.ts';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => redis.stop());

runDeliveryStoreSuite('Redis (BullMQ retries)', async () => {
  const store = redis.storeUrl({ consumer: 'conformance' });
  return {
    async open() {
      const { log, deliveryStore } = await openStores(parseStoreUrl(store));
      return {
        store: deliveryStore,
        close: async () => {
          await deliveryStore.close();
          await log.close();
        },
      };
    },
    cleanup: async () => undefined,
  };
});

describe('Redis delivery store across processes', () => {
  it('one process at a time sends a dead letter to its sink: the first lease wins until the outcome is recorded', async () => {
    const store = redis.storeUrl({ consumer: 'lease' });
    const a = await openStores(parseStoreUrl(store));
    const b = await openStores(parseStoreUrl(store));
    try {
      const id = await a.deliveryStore.deadLetter({
        broker: 'ns/b',
        trigger: 'ns/t',
        event: { attributes: { specversion: '1.0', id: 'e', source: '/s', type: 't' } },
        attempts: [],
        reason: 'retries exhausted',
        createdAt: Date.now(),
        deadLetterSink: { state: 'pending', destination: 'http://dls' },
      });
      expect(await a.deliveryStore.leaseDeadLetterSink(id, 60_000)).toBe(true);
      expect(await b.deliveryStore.leaseDeadLetterSink(id, 60_000)).toBe(false);
      await a.deliveryStore.setDeadLetterSinkOutcome(id, { state: 'delivered', destination: 'http://dls', at: new Date().toISOString() });
      expect(await b.deliveryStore.leaseDeadLetterSink(id, 60_000)).toBe(true);
      // A lease that outlives its process (never released) lapses by itself.
      expect(await a.deliveryStore.leaseDeadLetterSink('other', 100)).toBe(true);
      expect(await b.deliveryStore.leaseDeadLetterSink('other', 100)).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(await b.deliveryStore.leaseDeadLetterSink('other', 100)).toBe(true);
    } finally {
      for (const s of [a, b]) {
        await s.deliveryStore.close();
        await s.log.close();
      }
    }
  });

  it('Redrive exactly once: two processes redriving the same dead letters at once schedule each once', async () => {
    const store = redis.storeUrl({ consumer: 'redrive' });
    const a = await openStores(parseStoreUrl(store));
    const b = await openStores(parseStoreUrl(store));
    try {
      const ids: string[] = [];
      for (let i = 0; i < 200; i++) {
        const event = { attributes: { specversion: '1.0', id: `r-${i}`, source: '/s', type: 't' } };
        ids.push(await a.deliveryStore.deadLetter({ broker: 'ns/b', trigger: 'ns/t', event, attempts: [], reason: 'x', createdAt: Date.now(), deadLetterSink: { state: 'none' } }));
      }
      const redrive = (s: typeof a) =>
        s.deliveryStore.redriveDeadLetters(ids.map((id) => ({ id, retry: { trigger: 'ns/t', broker: 'ns/b', dueAt: Date.now() + 60_000, attempts: [], event: { attributes: { specversion: '1.0', id, source: '/s', type: 't' } } } })));
      const outcomes = (await Promise.all([redrive(a), redrive(b)])).flat();
      expect(outcomes.filter((retryId) => retryId !== undefined)).toHaveLength(200);
      expect(await a.deliveryStore.listRetries('ns/t')).toHaveLength(200);
      expect(await b.deliveryStore.listDeadLetters({})).toEqual([]);
    } finally {
      for (const s of [a, b]) {
        await s.deliveryStore.close();
        await s.log.close();
      }
    }
  });
});
