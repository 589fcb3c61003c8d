/** The delivery-store conformance suite: every engine runs it. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CloudEvent } from '../../services/cloudevents/cloud-event.ts';
import type { DeadLetter, DeliveryStore } from '../../services/dispatcher/delivery-store.ts';

export interface DeliveryStoreHarness {
  open(): Promise<{ store: DeliveryStore; close(): Promise<void> }>;
  cleanup(): Promise<void>;
}

const event = (id: string, type = 'com.example.test'): CloudEvent => ({
  attributes: { specversion: '1.0', id, source: '/test', type, knativeerrorcode: 503 },
  data: Buffer.from([1, 2, 3]),
  dataEncoding: 'base64',
});
const attempt = { at: '2026-11-23T10:00:00.000Z', status: 503, error: 'the destination answered 503' };

function deadLetter(id: string, overrides: Partial<Omit<DeadLetter, 'id'>> = {}): Omit<DeadLetter, 'id'> {
  return {
    broker: 'ns/b',
    trigger: 'ns/t',
    event: event(id),
    attempts: [attempt],
    reason: 'retries exhausted',
    createdAt: 1000,
    deadLetterSink: { state: 'none' },
    ...overrides,
  };
}

export function runDeliveryStoreSuite(engine: string, newHarness: () => Promise<DeliveryStoreHarness>): void {
  describe(`delivery-store contract: ${engine}`, () => {
    let harness: DeliveryStoreHarness;
    let opened: { store: DeliveryStore; close(): Promise<void> };
    let store: DeliveryStore;

    beforeEach(async () => {
      harness = await newHarness();
      opened = await harness.open();
      store = opened.store;
    });
    afterEach(async () => {
      await opened.close();
      await harness.cleanup();
    });

    it('a retry is due only from its due time, oldest due first', async () => {
      const late = await store.scheduleRetry({ trigger: 'ns/t', broker: 'ns/b', dueAt: 2000, attempts: [attempt], event: event('late') });
      const early = await store.scheduleRetry({ trigger: 'ns/t', broker: 'ns/b', dueAt: 1000, attempts: [attempt], event: event('early') });
      await store.scheduleRetry({ trigger: 'ns/other', broker: 'ns/b', dueAt: 500, attempts: [], event: event('other') });
      expect(await store.dueRetries('ns/t', 999, 10, new Set())).toEqual([]);
      expect((await store.dueRetries('ns/t', 1500, 10, new Set())).map((r) => r.id)).toEqual([early]);
      expect((await store.dueRetries('ns/t', 5000, 10, new Set())).map((r) => r.id)).toEqual([early, late]);
      expect((await store.dueRetries('ns/t', 5000, 10, new Set([early]))).map((r) => r.id)).toEqual([late]);
      expect(await store.nextRetryDue('ns/t')).toBe(1000);
      expect(await store.nextRetryDue('ns/none')).toBeUndefined();
    });

    it('keeps the event, its bytes and its attempts', async () => {
      await store.scheduleRetry({ trigger: 'ns/t', broker: 'ns/b', dueAt: 1, attempts: [attempt], event: event('e') });
      const [retry] = await store.dueRetries('ns/t', 10, 1, new Set());
      expect(retry?.event.attributes).toMatchObject({ id: 'e', knativeerrorcode: 503 });
      expect([...(retry?.event.data ?? [])]).toEqual([1, 2, 3]);
      expect(retry?.event.dataEncoding).toBe('base64');
      expect(retry?.attempts).toEqual([attempt]);
      expect(retry?.broker).toBe('ns/b');
    });

    it('reschedules and completes', async () => {
      const id = await store.scheduleRetry({ trigger: 'ns/t', broker: 'ns/b', dueAt: 1, attempts: [attempt], event: event('e') });
      await store.rescheduleRetry(id, 3000, [attempt, attempt]);
      expect(await store.dueRetries('ns/t', 2000, 10, new Set())).toEqual([]);
      expect((await store.dueRetries('ns/t', 3000, 10, new Set()))[0]?.attempts).toHaveLength(2);
      await store.completeRetry(id);
      expect(await store.nextRetryDue('ns/t')).toBeUndefined();
    });

    it('a retry survives a reopen', async () => {
      await store.scheduleRetry({ trigger: 'ns/t', broker: 'ns/b', dueAt: 1, attempts: [attempt], event: event('durable') });
      await opened.close();
      opened = await harness.open();
      store = opened.store;
      expect((await store.dueRetries('ns/t', 10, 10, new Set())).map((r) => r.event.attributes['id'])).toEqual(['durable']);
    });

    it('a dead letter replaces its retry in one step', async () => {
      const retryId = await store.scheduleRetry({ trigger: 'ns/t', broker: 'ns/b', dueAt: 1, attempts: [attempt], event: event('e') });
      const id = await store.deadLetter(deadLetter('e'), retryId);
      expect(await store.nextRetryDue('ns/t')).toBeUndefined();
      const [stored] = await store.listDeadLetters({ ids: [id] });
      expect(stored).toMatchObject({ id, broker: 'ns/b', trigger: 'ns/t', reason: 'retries exhausted', attempts: [attempt], deadLetterSink: { state: 'none' } });
      expect([...(stored?.event.data ?? [])]).toEqual([1, 2, 3]);
    });

    it('lists dead letters by broker, trigger, type, time and code', async () => {
      const a = await store.deadLetter(deadLetter('a', { createdAt: 1000 }));
      const b = await store.deadLetter(deadLetter('b', { createdAt: 2000, trigger: 'ns/u', event: event('b', 'com.example.other') }));
      const c = await store.deadLetter(
        deadLetter('c', { createdAt: 3000, broker: 'ns/c', event: { attributes: { ...event('c').attributes, knativeerrorcode: 400 } } }),
      );
      const ids = async (query: Parameters<DeliveryStore['listDeadLetters']>[0]) => (await store.listDeadLetters(query)).map((d) => d.id);
      expect(await ids({})).toEqual([a, b, c]);
      expect(await ids({ broker: 'ns/b' })).toEqual([a, b]);
      expect(await ids({ trigger: 'ns/u' })).toEqual([b]);
      expect(await ids({ type: 'com.example.other' })).toEqual([b]);
      expect(await ids({ since: 2000 })).toEqual([b, c]);
      expect(await ids({ code: 400 })).toEqual([c]);
      expect(await ids({ limit: 1 })).toEqual([a]);
      expect(await ids({ ids: [] })).toEqual([]);
    });

    it('redrive turns a dead letter back into a due retry in one step', async () => {
      const id = await store.deadLetter(deadLetter('again'));
      const retryId = await store.redriveDeadLetter(id, { trigger: 'ns/t', broker: 'ns/b', dueAt: 5, attempts: [], event: event('again') });
      expect(await store.listDeadLetters({})).toEqual([]);
      const [retry] = await store.dueRetries('ns/t', 10, 10, new Set());
      expect(retry).toMatchObject({ id: retryId, attempts: [] });
      expect(retry?.event.attributes['id']).toBe('again');
    });

    it('records what happened at the dead-letter sink, and deletes', async () => {
      const id = await store.deadLetter(deadLetter('e', { deadLetterSink: { state: 'pending', destination: 'http://dls' } }));
      await store.setDeadLetterSinkOutcome(id, { state: 'failed', destination: 'http://dls', at: 'now', error: 'the destination answered 500' });
      expect((await store.listDeadLetters({ ids: [id] }))[0]?.deadLetterSink).toMatchObject({ state: 'failed', error: 'the destination answered 500' });
      expect(await store.deleteDeadLetters([id, '999999'])).toBe(1);
      expect(await store.listDeadLetters({})).toEqual([]);
    });
  });
}
