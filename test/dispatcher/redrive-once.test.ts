/**
 * Redrive exactly once: two `dlq redrive` calls at the same time, against one platform on the
 * embedded store and against two platform processes sharing a Redis, redeliver each dead letter
 * once; two `redrive --to URL` at once send each once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deferredCleanups } from '../support/cleanups.ts';
import { type HttpSink, startHttpSink } from '../support/http-sink.ts';
import { brokerWithTrigger, startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { type TestRedis, startRedis } from '../support/redis-server.ts';
import { waitFor } from '../support/wait-for.ts';

const defer = deferredCleanups();
const COUNT = 2000;

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => redis.stop());

/** A sink that refuses (400: dead-lettered at once) until told to accept. */
async function refusingSink(): Promise<HttpSink & { accept(): void; counts(): Map<string, number> }> {
  let accepting = false;
  const sink = await startHttpSink((request, res) => res.writeHead(accepting || request.url === '/to' ? 200 : 400).end());
  defer(() => sink.close());
  return Object.assign(sink, {
    accept: () => (accepting = true),
    counts: () => {
      const counts = new Map<string, number>();
      for (const r of sink.received) if (r.url !== '/' || accepting) counts.set(`${r.url} ${r.headers['ce-id']}`, (counts.get(`${r.url} ${r.headers['ce-id']}`) ?? 0) + 1);
      return counts;
    },
  });
}

async function deadLetters(platforms: readonly TestPlatform[], sink: HttpSink): Promise<void> {
  const batch = (from: number) => Array.from({ length: 500 }, (_, i) => ({ specversion: '1.0', id: `e-${from + i}`, source: '/redrive', type: 't' }));
  for (let from = 0; from < COUNT; from += 500) {
    const response = await fetch(`${platforms[0]?.url}/default/default`, { method: 'POST', headers: { 'content-type': 'application/cloudevents-batch+json' }, body: JSON.stringify(batch(from)) });
    expect(response.status).toBe(202);
  }
  await waitFor(async () => {
    const response = await fetch(`${platforms[0]?.url}/api/v1/dead-letters`);
    return ((await response.json()) as { deadLetters: unknown[] }).deadLetters.length === COUNT;
  }, 'every event to be dead-lettered', 30_000, 100);
  expect(sink.received).toHaveLength(COUNT);
}

/** A whole redrive, chunk by chunk as the API answers it (`next`), as `switchyard dlq redrive` does. */
async function redrive(platform: TestPlatform, body: object): Promise<{ results: Array<{ outcome: string }> }> {
  const results: Array<{ outcome: string }> = [];
  let next: { after: string; until: number } | undefined;
  do {
    const response = await fetch(`${platform.url}/api/v1/dead-letters/redrive`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...body, ...next }) });
    const answer = (await response.json()) as { results: Array<{ outcome: string }>; next?: { after: string; until: number } };
    results.push(...answer.results);
    next = answer.next;
  } while (next !== undefined);
  return { results };
}

function expectEachOnce(results: ReadonlyArray<{ results: Array<{ outcome: string }> }>, done: string): void {
  const outcomes = results.flatMap((r) => r.results.map((x) => x.outcome));
  expect(outcomes.filter((o) => o === done)).toHaveLength(COUNT);
  expect(outcomes.filter((o) => o !== done && o !== 'gone')).toEqual([]);
}

describe('Redrive exactly once', () => {
  it('two redrives at once on the embedded store: each dead letter is redelivered once', async () => {
    const sink = await refusingSink();
    const platform = await startTestPlatform(brokerWithTrigger('refused', `${sink.url}/`));
    defer(() => platform.stop());
    await deadLetters([platform], sink);
    sink.accept();
    const results = await Promise.all([redrive(platform, { all: true }), redrive(platform, { all: true })]);
    expectEachOnce(results, 'redriven');
    await waitFor(() => sink.received.length >= 2 * COUNT, 'the redeliveries', 30_000, 100);
    // Nothing more comes: each id twice in all, the refused attempt and one redelivery.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(sink.received).toHaveLength(2 * COUNT);
    expect(new Set(sink.received.slice(COUNT).map((r) => r.headers['ce-id'])).size).toBe(COUNT);
  }, 90_000);

  it('two redrives --to URL at once: each dead letter is sent once', async () => {
    const sink = await refusingSink();
    const platform = await startTestPlatform(brokerWithTrigger('refused', `${sink.url}/`));
    defer(() => platform.stop());
    await deadLetters([platform], sink);
    const results = await Promise.all([redrive(platform, { all: true, to: `${sink.url}/to` }), redrive(platform, { all: true, to: `${sink.url}/to` })]);
    expectEachOnce(results, 'delivered');
    const sent = sink.received.filter((r) => r.url === '/to');
    expect(sent).toHaveLength(COUNT);
    expect(new Set(sent.map((r) => r.headers['ce-id'])).size).toBe(COUNT);
  }, 90_000);

  it('two platform processes on one Redis, each asked to redrive at once: each dead letter is redelivered once', async () => {
    const sink = await refusingSink();
    const store = redis.storeUrl();
    const a = await startTestPlatform(brokerWithTrigger('refused', `${sink.url}/`), { store });
    defer(() => a.stop());
    const b = await startTestPlatform(brokerWithTrigger('refused', `${sink.url}/`), { store });
    defer(() => b.stop());
    await deadLetters([a, b], sink);
    sink.accept();
    const results = await Promise.all([redrive(a, { all: true }), redrive(b, { all: true })]);
    expectEachOnce(results, 'redriven');
    await waitFor(() => sink.received.length >= 2 * COUNT, 'the redeliveries', 60_000, 100);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(sink.received).toHaveLength(2 * COUNT);
    expect(new Set(sink.received.slice(COUNT).map((r) => r.headers['ce-id'])).size).toBe(COUNT);
  }, 120_000);
});
