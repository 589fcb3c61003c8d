/** The delivery-store conformance suite: every engine runs it. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CloudEvent } from '../../services/cloudevents/cloud-event.ts';
import type { DeadLetter, DeliveryStore, RetryAnswer, RetryConsumer, RetryEntry } from '../../services/dispatcher/delivery-store.ts';
import { waitFor } from '../support/wait-for.ts';

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

    /** Collects what the store hands to a trigger's handler; `answer` decides each reply. */
    function consume(trigger: string, answer: (retry: RetryEntry) => RetryAnswer | Promise<RetryAnswer> = () => ({ kind: 'done' }), concurrency = 10) {
      const received: Array<{ retry: RetryEntry; at: number }> = [];
      const consumer = store.consumeRetries(trigger, concurrency, async (retry) => {
        received.push({ retry, at: Date.now() });
        return answer(retry);
      });
      consumers.push(consumer);
      return received;
    }
    const consumers: RetryConsumer[] = [];
    afterEach(async () => {
      await Promise.all(consumers.splice(0).map((c) => c.stop()));
    });
    const retry = (id: string, dueAt: number, trigger = 'ns/t') => ({ trigger, broker: 'ns/b', dueAt, attempts: [attempt], event: event(id) });

    it('hands a retry over from its due time, soonest due first, only to its trigger', async () => {
      const now = Date.now();
      await store.scheduleRetry(retry('late', now + 600));
      await store.scheduleRetry(retry('early', now + 300));
      await store.scheduleRetry(retry('other', now, 'ns/other'));
      const received = consume('ns/t');
      await waitFor(() => received.length === 2, 'both retries', 5000);
      expect(received.map((r) => r.retry.event.attributes['id'])).toEqual(['early', 'late']);
      expect(received[0]?.at).toBeGreaterThanOrEqual(now + 300);
      expect(received[1]?.at).toBeGreaterThanOrEqual(now + 600);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(received).toHaveLength(2);
    });

    it('keeps the event, its bytes, its attempts and its broker', async () => {
      await store.scheduleRetry(retry('e', Date.now()));
      const received = consume('ns/t');
      const [first] = await waitFor(() => (received.length > 0 ? received : undefined), 'the retry', 5000);
      expect(first?.retry.event.attributes).toMatchObject({ id: 'e', knativeerrorcode: 503 });
      expect([...(first?.retry.event.data ?? [])]).toEqual([1, 2, 3]);
      expect(first?.retry.event.dataEncoding).toBe('base64');
      expect(first?.retry.attempts).toEqual([attempt]);
      expect(first?.retry.broker).toBe('ns/b');
    });

    it('an answer of again hands the retry over again at the new time with the new attempts; done ends it', async () => {
      const start = Date.now();
      await store.scheduleRetry(retry('e', start));
      const received = consume('ns/t', (r) => (r.attempts.length === 1 ? { kind: 'again', dueAt: Date.now() + 300, attempts: [attempt, attempt] } : { kind: 'done' }));
      await waitFor(() => received.length === 2, 'the second hand-over', 5000);
      expect(received[1]?.retry.attempts).toHaveLength(2);
      expect((received[1]?.at ?? 0) - (received[0]?.at ?? 0)).toBeGreaterThanOrEqual(290);
      await waitFor(async () => (await store.listRetries('ns/t')).length === 0, 'the retry to end', 5000);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(received).toHaveLength(2);
    });

    it('a handler that throws has its retry handed over again, never dropped', async () => {
      await store.scheduleRetry(retry('flaky', Date.now()));
      let calls = 0;
      const received = consume('ns/t', () => {
        calls++;
        if (calls === 1) throw new Error('bookkeeping failed');
        return { kind: 'done' };
      });
      await waitFor(() => received.length === 2, 'the retry after the failure', 5000);
      expect(received[1]?.retry.attempts).toEqual([attempt]);
    });

    it('hands over at most `concurrency` retries of a trigger at once', async () => {
      const now = Date.now();
      for (let i = 0; i < 6; i++) await store.scheduleRetry(retry(`c${i}`, now));
      let active = 0;
      let most = 0;
      const received = consume(
        'ns/t',
        async () => {
          most = Math.max(most, ++active);
          await new Promise((resolve) => setTimeout(resolve, 100));
          active--;
          return { kind: 'done' };
        },
        2,
      );
      await waitFor(() => received.length === 6, 'all six', 5000);
      expect(most).toBe(2);
    });

    it('a retry survives a reopen', async () => {
      await store.scheduleRetry(retry('durable', Date.now() + 100));
      await opened.close();
      opened = await harness.open();
      store = opened.store;
      expect((await store.listRetries('ns/t')).map((r) => r.event.attributes['id'])).toEqual(['durable']);
      const received = consume('ns/t');
      await waitFor(() => received.length === 1, 'the retry after the reopen', 5000);
      expect(received[0]?.retry.event.attributes['id']).toBe('durable');
    });

    it('counts the retries waiting per trigger; one answered again still counts, one done or dead-lettered no longer does', async () => {
      const now = Date.now();
      await store.scheduleRetry(retry('a', now));
      await store.scheduleRetry(retry('b', now));
      await store.scheduleRetry(retry('c', now + 60_000));
      await store.scheduleRetry(retry('other', now, 'ns/u'));
      expect(await store.countRetries('ns/t')).toBe(3);
      expect(await store.countRetries('ns/u')).toBe(1);
      expect(await store.countRetries('ns/none')).toBe(0);
      const received = consume('ns/t', async (r) => {
        const id = r.event.attributes['id'];
        if (id === 'a') return { kind: 'done' };
        if (r.attempts.length === 1) return { kind: 'again', dueAt: Date.now() + 200, attempts: [attempt, attempt] };
        await store.deadLetter(deadLetter(String(id)), r.id);
        return { kind: 'done', failed: 'retries exhausted' };
      });
      await waitFor(() => received.length === 3, 'a, b, then b again', 5000);
      await waitFor(async () => (await store.countRetries('ns/t')) === 1, 'a and b to end, c to wait', 5000);
      expect((await store.listRetries('ns/t')).map((r) => r.event.attributes['id'])).toEqual(['c']);
      expect(await store.countRetries('ns/u')).toBe(1);
    });

    it('a dead letter written by the handler ends its retry', async () => {
      await store.scheduleRetry(retry('e', Date.now()));
      const ids: string[] = [];
      const received = consume('ns/t', async (r) => {
        ids.push(await store.deadLetter(deadLetter('e'), r.id));
        return { kind: 'done', failed: 'retries exhausted' };
      });
      await waitFor(() => received.length === 1 && ids.length === 1, 'the dead letter', 5000);
      await waitFor(async () => (await store.listRetries('ns/t')).length === 0, 'the retry to end', 5000);
      const [stored] = await store.listDeadLetters({ ids });
      expect(stored).toMatchObject({ id: ids[0], broker: 'ns/b', trigger: 'ns/t', reason: 'retries exhausted', attempts: [attempt], deadLetterSink: { state: 'none' } });
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

    it('redrive turns a dead letter back into a retry handed to its trigger', async () => {
      const id = await store.deadLetter(deadLetter('again'));
      const [retryId] = await store.redriveDeadLetters([{ id, retry: { trigger: 'ns/t', broker: 'ns/b', dueAt: Date.now(), attempts: [], event: event('again') } }]);
      expect(await store.listDeadLetters({})).toEqual([]);
      const received = consume('ns/t');
      await waitFor(() => received.length === 1, 'the redriven retry', 5000);
      expect(received[0]?.retry).toMatchObject({ id: retryId, attempts: [] });
      expect(received[0]?.retry.event.attributes['id']).toBe('again');
    });

    it('Redrive exactly once: two redrives of the same dead letters at once schedule each once', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 50; i++) ids.push(await store.deadLetter(deadLetter(`twice-${i}`)));
      const redrives = (some: readonly string[]) => store.redriveDeadLetters(some.map((id) => ({ id, retry: { trigger: 'ns/t', broker: 'ns/b', dueAt: Date.now() + 60_000, attempts: [], event: event(id) } })));
      // Two calls at once over the same entries, and within one call the same entry twice.
      const [first, second] = await Promise.all([redrives(ids.slice(0, 40)), redrives([...ids.slice(20), ids[49] as string])]);
      const outcomes = [...(first ?? []), ...(second ?? [])];
      expect(outcomes).toHaveLength(71);
      expect(outcomes.filter((retryId) => retryId !== undefined)).toHaveLength(50);
      expect(await store.listRetries('ns/t')).toHaveLength(50);
      expect(await store.listDeadLetters({})).toEqual([]);
      expect(await redrives([ids[0] as string])).toEqual([undefined]);
    });

    it('a claim on a dead letter is held by one caller until released or the entry is deleted; a missing entry cannot be claimed', async () => {
      const id = await store.deadLetter(deadLetter('claimed'));
      expect(await store.claimDeadLetter(id, 60_000)).toBe(true);
      expect(await store.claimDeadLetter(id, 60_000)).toBe(false);
      await store.releaseDeadLetter(id);
      expect(await store.claimDeadLetter(id, 60_000)).toBe(true);
      await store.deleteDeadLetters([id]);
      expect(await store.claimDeadLetter(id, 60_000)).toBe(false);
      expect(await store.claimDeadLetter('999999', 60_000)).toBe(false);
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
