/**
 * Dispatch end to end: a real platform, real HTTP sinks, on each engine in turn (the embedded
 * store, then Redis with BullMQ retries): the same suite, so both engines behave alike.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlatformOptions } from '../../services/platform.ts';
import { type HttpSink, startHttpSink } from '../support/http-sink.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { type TestRedis, startRedis } from '../support/redis-server.ts';
import { waitFor } from '../support/wait-for.ts';
import { deferredCleanups } from '../support/cleanups.ts';

const defer = deferredCleanups();

async function sink(): Promise<HttpSink> {
  const s = await startHttpSink();
  defer(() => s.close());
  return s;
}

/** The engine the current suite runs on: its store option for a new platform (none: the embedded store in the platform's folder). */
let engineStore: () => Partial<PlatformOptions> = () => ({});

async function platform(manifests: string, options: Partial<PlatformOptions> = {}): Promise<TestPlatform> {
  const p = await startTestPlatform(manifests, { ...engineStore(), ...options });
  defer(() => p.stop());
  return p;
}

function broker(delivery = ''): string {
  return `apiVersion: eventing.knative.dev/v1
kind: Broker
metadata: { name: default }
spec:
  delivery: {${delivery}}
`;
}

function trigger(name: string, subscriber: string, extra = ''): string {
  return `---
apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata: { name: ${name} }
spec:
  broker: default
  subscriber: { uri: "${subscriber}" }
${extra}
`;
}

async function publish(p: TestPlatform, id: string, type = 'com.example.test', headers: Record<string, string> = {}): Promise<number> {
  const response = await fetch(`${p.url}/default/default`, {
    method: 'POST',
    headers: { 'ce-specversion': '1.0', 'ce-id': id, 'ce-source': '/test', 'ce-type': type, 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ id }),
  });
  await response.arrayBuffer();
  return response.status;
}

for (const engine of ['embedded', 'redis'] as const) {
describe(`on the ${engine} engine`, () => {
  let redis: TestRedis | undefined;
  beforeAll(async () => {
    if (engine === 'redis') {
      redis = await startRedis();
      const prefix = redis.freshPrefix();
      engineStore = () => ({ store: redis?.storeUrl({ prefix: `${prefix}${Math.random().toString(36).slice(2)}:`, consumer: 'dispatch' }) });
    } else engineStore = () => ({});
  });
  afterAll(async () => {
    engineStore = () => ({});
    await redis?.stop();
  });

  describe('delivery', () => {
    it('delivers matching events to the subscriber in binary mode, without the hop counter', async () => {
      const s = await sink();
      const p = await platform(broker() + trigger('all', `${s.url}/in`) + trigger('none', `${s.url}/never`, '  filter: { attributes: { type: nothing.matches } }'));
      expect(await publish(p, 'd-1')).toBe(202);
      const received = await waitFor(() => s.received.find((r) => r.headers['ce-id'] === 'd-1'), 'the delivery');
      expect(received.url).toBe('/in');
      expect(received.headers['ce-type']).toBe('com.example.test');
      expect(received.headers['prefer']).toBe('reply');
      expect(received.headers['kn-namespace']).toBe('default');
      expect(received.headers['ce-knativearrivaltime']).toBeDefined();
      expect(received.headers['ce-knativebrokerttl']).toBeUndefined();
      expect(JSON.parse(received.body.toString())).toEqual({ id: 'd-1' });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(s.received.filter((r) => r.url === '/never')).toEqual([]);
    });

    it('structured mode with delivery.format json', async () => {
      const s = await sink();
      const p = await platform(broker('format: json') + trigger('t', s.url));
      await publish(p, 's-1');
      const received = await waitFor(() => s.received[0], 'the delivery');
      expect(received.headers['content-type']).toMatch(/^application\/cloudevents\+json/);
      expect(JSON.parse(received.body.toString())).toMatchObject({ id: 's-1', data: { id: 's-1' } });
    });
  });

  describe('retries', () => {
    it.each([
      [500, 3],
      [503, 3],
      [404, 3],
      [408, 3],
      [409, 3],
      [429, 3],
      [400, 1],
      [401, 1],
      [403, 1],
      [413, 1],
      [302, 1],
    ])('a %i answer is attempted %i time(s) with retry: 2, then dead-lettered', async (status, attempts) => {
      const s = await sink();
      s.respond((_r, res) => res.writeHead(status).end(`failure ${status}`));
      const p = await platform(broker('retry: 2, backoffDelay: PT0.01S, backoffPolicy: linear') + trigger('t', s.url));
      await publish(p, `r-${status}`);
      const [dead] = await waitFor(async () => {
        const list = await p.deliveryStore.listDeadLetters({});
        return list.length > 0 ? list : undefined;
      }, 'the dead letter');
      expect(s.received).toHaveLength(attempts);
      expect(dead?.attempts.map((a) => a.status)).toEqual(Array(attempts).fill(status));
      expect(dead?.event.attributes).toMatchObject({ knativeerrorcode: status, knativeerrordest: s.url, knativeerrordata: Buffer.from(`failure ${status}`).toString('base64') });
      expect(dead?.reason).toMatch(attempts === 1 ? /^not retried/ : /^retries exhausted: 3 attempts failed/);
    });

    it('follows the exponential backoff schedule', async () => {
      const s = await sink();
      s.respond((_r, res) => res.writeHead(500).end());
      const p = await platform(broker('retry: 3, backoffDelay: PT0.05S, backoffPolicy: exponential') + trigger('t', s.url));
      await publish(p, 'b-1');
      await waitFor(() => s.received.length === 4, 'four attempts');
      const gaps = s.received.slice(1).map((r, i) => r.at - (s.received[i]?.at ?? 0));
      // backoffDelay × 2^n: 100, 200, 400 ms (a little more for the poll and the commit)
      expect(gaps[0]).toBeGreaterThanOrEqual(95);
      expect(gaps[1]).toBeGreaterThanOrEqual(195);
      expect(gaps[2]).toBeGreaterThanOrEqual(395);
      expect(gaps[2]).toBeLessThan(1500);
    });

    it('honours Retry-After on 429, up to retryAfterMax', async () => {
      const s = await sink();
      s.respond((_r, res) => (s.received.length === 1 ? res.writeHead(429, { 'retry-after': '1' }).end() : res.writeHead(200).end()));
      const p = await platform(broker('retry: 1, backoffDelay: PT0.01S, retryAfterMax: PT5S') + trigger('t', s.url));
      await publish(p, 'ra-1');
      await waitFor(() => s.received.length === 2, 'the retry', 5000);
      expect((s.received[1]?.at ?? 0) - (s.received[0]?.at ?? 0)).toBeGreaterThanOrEqual(990);
    });

    it("a trigger's delivery overrides its broker's field by field", async () => {
      const s = await sink();
      const dls = await sink();
      s.respond((_r, res) => res.writeHead(500).end());
      // The broker sets retry: 2; the trigger sets only a dead-letter sink and keeps the broker's retries.
      const p = await platform(broker('retry: 2, backoffDelay: PT0.01S') + trigger('t', s.url, `  delivery:\n    deadLetterSink: { uri: "${dls.url}/dls" }`));
      await publish(p, 'o-1');
      await waitFor(() => dls.received.length === 1, 'the dead-letter sink');
      expect(s.received).toHaveLength(3);
      expect(dls.received[0]?.headers['ce-knativeerrorcode']).toBe('500');
      const [dead] = await p.deliveryStore.listDeadLetters({});
      await waitFor(async () => (await p.deliveryStore.listDeadLetters({}))[0]?.deadLetterSink.state === 'delivered', 'the sink outcome');
      expect(dead?.trigger).toBe('default/t');
    });

    it('a failing dead-letter sink is recorded on the stored entry', async () => {
      const s = await sink();
      s.respond((_r, res) => res.writeHead(400).end());
      const dls = await sink();
      dls.respond((_r, res) => res.writeHead(500).end());
      const p = await platform(broker(`retry: 1, backoffDelay: PT0.01S, deadLetterSink: { uri: "${dls.url}" }`) + trigger('t', s.url));
      await publish(p, 'f-1');
      const dead = await waitFor(async () => {
        const [entry] = await p.deliveryStore.listDeadLetters({});
        return entry?.deadLetterSink.state === 'failed' ? entry : undefined;
      }, 'the failed sink outcome');
      expect(dead.deadLetterSink).toMatchObject({ state: 'failed', destination: dls.url, error: 'the destination answered 500' });
      expect(dls.received).toHaveLength(2);
    });
  });

  describe('replies', () => {
    it('a 200 carrying a CloudEvent is published to the broker; a 202 never is', async () => {
      const s = await sink();
      const replies = await sink();
      s.respond((r, res) => {
        const status = r.headers['ce-id'] === 'with-200' ? 200 : 202;
        res.writeHead(status, { 'ce-specversion': '1.0', 'ce-id': `reply-to-${r.headers['ce-id']}`, 'ce-source': '/sink', 'ce-type': 'com.example.reply' }).end();
      });
      const p = await platform(
        broker() + trigger('orders', s.url, '  filter: { attributes: { type: com.example.test } }') + trigger('replies', replies.url, '  filter: { attributes: { type: com.example.reply } }'),
      );
      await publish(p, 'with-200');
      await publish(p, 'with-202');
      const reply = await waitFor(() => replies.received[0], 'the reply');
      expect(reply.headers['ce-id']).toBe('reply-to-with-200');
      await waitFor(() => s.received.length === 2, 'both deliveries');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(replies.received.map((r) => r.headers['ce-id'])).toEqual(['reply-to-with-200']);
    });

    it('a reply loop ends when the TTL runs out, in the dead-letter store', async () => {
      const s = await sink();
      s.respond((r, res) =>
        res.writeHead(200, { 'ce-specversion': '1.0', 'ce-id': `${r.headers['ce-id']}+`, 'ce-source': '/loop', 'ce-type': 'com.example.test' }).end(),
      );
      const p = await platform(broker() + trigger('loop', s.url));
      await publish(p, 'loop', 'com.example.test', { 'ce-knativebrokerttl': '6' });
      const dead = await waitFor(async () => (await p.deliveryStore.listDeadLetters({}))[0], 'the dead letter', 10_000);
      expect(dead.reason).toMatch(/ran out of hops/);
      // TTL 6 on arrival becomes 5; replies come back with 4, 3, 2, 1; the next would be 0.
      expect(s.received).toHaveLength(5);
      expect(dead.event.attributes['id']).toBe('loop+++++');
    });
  });

  describe('persistence', () => {
    it('a platform restarted in the middle of a backoff resumes it', async () => {
      const s = await sink();
      s.respond((_r, res) => res.writeHead(503).end());
      const store = engineStore();
      const first = await startTestPlatform(broker('retry: 3, backoffDelay: PT0.5S, backoffPolicy: linear') + trigger('t', s.url), store);
      await publish(first, 'resume-1');
      await waitFor(() => s.received.length === 1, 'the first attempt');
      // The retry is written once the platform has the sink's answer, a moment after the sink saw the request.
      const [retry] = await waitFor(async () => {
        const due = await first.deliveryStore.listRetries('default/t');
        return due.length > 0 ? due : undefined;
      }, 'the persisted retry');
      expect(retry?.attempts).toHaveLength(1);
      await first.close();
      s.respond((_r, res) => res.writeHead(200).end());
      const second = await startTestPlatform(broker('retry: 3, backoffDelay: PT0.5S, backoffPolicy: linear') + trigger('t', s.url), {
        store: store.store ?? `sqlite:${first.dir}/store.db`,
      });
      defer(async () => {
        await second.stop();
        await first.stop();
      });
      await waitFor(() => s.received.length === 2, 'the resumed retry', 5000);
      expect((s.received[1]?.at ?? 0) - (s.received[0]?.at ?? 0)).toBeGreaterThanOrEqual(450);
      await waitFor(async () => (await second.deliveryStore.listRetries('default/t')).length === 0, 'the retry to complete');
      expect(await second.deliveryStore.listDeadLetters({})).toEqual([]);
    });
  });
});
}

describe('CESQL filters', () => {
  it('deliver what the expression accepts; an evaluation error means no match, counted and logged with the trigger', async () => {
    const s = await sink();
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(line) });
    const manifests =
      broker() +
      trigger('orders', `${s.url}/orders`, `  filters:\n    - cesql: "type LIKE 'com.example.order.%' AND source LIKE '%/shop%' AND EXISTS customerid"`) +
      trigger('amounts', `${s.url}/amounts`, `  filters:\n    - cesql: "amount > 100"`);
    const p = await startTestPlatform(manifests, { logger });
    defer(() => p.stop());
    expect(await publish(p, 'c-1', 'com.example.order.created', { 'ce-source': '/shop/eu', 'ce-customerid': 'c42', 'ce-amount': '250' })).toBe(202);
    expect(await publish(p, 'c-2', 'com.example.order.created', { 'ce-source': '/shop/eu' })).toBe(202);
    expect(await publish(p, 'c-3', 'com.example.user.created', { 'ce-source': '/shop/eu', 'ce-customerid': 'c42', 'ce-amount': 'lots' })).toBe(202);
    await waitFor(() => s.received.length >= 2 && p.dispatcher.cesqlErrors.counts()['default/amounts'] === 2, 'deliveries and evaluation errors');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(s.received.map((r) => `${r.url} ${String(r.headers['ce-id'])}`).sort()).toEqual(['/amounts c-1', '/orders c-1']);
    // c-2 has no amount (missingAttribute), c-3's amount is no integer (cast).
    expect(p.dispatcher.cesqlErrors.counts()).toEqual({ 'default/amounts': 2 });
    const logged = lines.map((line) => JSON.parse(line) as { trigger?: string; errorKind?: string; msg: string }).filter((l) => l.trigger === 'default/amounts');
    expect(logged[0]).toMatchObject({ errorKind: 'missingAttribute', msg: expect.stringMatching(/CESQL filter failed to evaluate/) });
  });
});
