/**
 * Per-key ordered delivery (`switchyard.dev/ordering-key`): events with the same key reach the
 * subscriber one at a time and in the order they were published, retries included; different keys
 * go in parallel. Both engines, across a kill -9 and, on Redis, across processes.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningCli, startCli } from '../support/cli.ts';
import { deferredCleanups } from '../support/cleanups.ts';
import { type OrderSink, outOfOrder, startOrderSink } from '../support/order-checking-sink.ts';
import { type TestRedis, startRedis } from '../support/redis-server.ts';
import { tempDir } from '../support/temp-dir.ts';
import { waitFor } from '../support/wait-for.ts';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis({ persistence: true });
});
afterAll(async () => redis.stop());
const defer = deferredCleanups();

const KEYS = 6;
const PER_KEY = 100;
const TOTAL = KEYS * PER_KEY;

const BROKER = `apiVersion: eventing.knative.dev/v1
kind: Broker
metadata: { name: default }
spec:
  delivery: { retry: 5, backoffDelay: PT0.05S, backoffPolicy: linear }
`;

function trigger(name: string, url: string, orderingKey?: string): string {
  const annotations = orderingKey === undefined ? '' : `\n  annotations: { switchyard.dev/ordering-key: ${orderingKey} }`;
  return `---
apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata:
  name: ${name}${annotations}
spec:
  broker: default
  subscriber: { uri: "${url}" }
`;
}

/** A sink keyed by partitionkey, numbered by the `seq` extension, failing the first attempt of every 7th event. */
async function orderSink(delayMs = 2): Promise<OrderSink> {
  const s = await startOrderSink({
    keyOf: (request) => String(request.headers['ce-partitionkey']),
    seqOf: (request) => Number(request.headers['ce-seq']),
    status: (_key, seq, attempt) => (seq % 7 === 3 && attempt === 1 ? 503 : 200),
    delayMs,
  });
  defer(() => s.sink.close());
  return s;
}

function manifests(body: string): { file: string; dir: string } {
  const dir = tempDir();
  defer(() => dir.remove());
  const file = join(dir.path, 'manifests.yaml');
  writeFileSync(file, body);
  return { file, dir: dir.path };
}

async function start(args: readonly string[]): Promise<RunningCli> {
  const cli = await startCli(args);
  defer(() => cli.kill().catch(() => undefined));
  return cli;
}

/** Publishes every key's events in order, the keys interleaved, in batches of 60. */
async function publishAll(url: string): Promise<void> {
  const events = Array.from({ length: TOTAL }, (_, i) => {
    const key = `k${i % KEYS}`;
    const seq = Math.floor(i / KEYS);
    return { specversion: '1.0', id: `${key}-${seq}`, source: '/ordered-test', type: 'com.example.ordered', partitionkey: key, seq };
  });
  for (let from = 0; from < TOTAL; from += 60) {
    const response = await fetch(`${url}/default/default`, { method: 'POST', headers: { 'content-type': 'application/cloudevents-batch+json' }, body: JSON.stringify(events.slice(from, from + 60)) });
    await response.arrayBuffer();
    expect(response.status).toBe(202);
  }
}

const engines = [
  { name: 'embedded store', store: (dir: string) => `sqlite:${join(dir, 'store.db')}` },
  { name: 'Redis', store: () => redis.storeUrl({ prefix: redis.freshPrefix(), claimIdleMs: 1000 }) },
];

describe.each(engines)('ordered delivery on the $name', { timeout: 120_000 }, ({ store }) => {
  it('keeps each key in order through retries, keys in parallel; the same trigger without the annotation does not', async () => {
    const ordered = await orderSink();
    const unordered = await orderSink();
    const { file, dir } = manifests(BROKER + trigger('ordered', ordered.url, 'partitionkey') + trigger('unordered', unordered.url));
    const platform = await start(['-f', file, '--store', store(dir)]);
    await publishAll(platform.url);
    await waitFor(() => ordered.delivered() === TOTAL && unordered.delivered() === TOTAL, 'every event delivered to both triggers', 60_000, 50);

    expect(outOfOrder(ordered.firstSuccesses())).toEqual([]);
    expect([...ordered.firstSuccesses().values()].map((seqs) => seqs.length)).toEqual(Array(KEYS).fill(PER_KEY));
    expect(ordered.maxOpenPerKey()).toBe(1);
    expect(ordered.maxOpen()).toBeGreaterThan(1);
    expect(ordered.failures()).toBe(Math.ceil((PER_KEY - 3) / 7) * KEYS);
    // The check finds disorder where there is some: retried events arrive after later ones.
    expect(outOfOrder(unordered.firstSuccesses()).length).toBeGreaterThan(0);
    expect(unordered.maxOpenPerKey()).toBeGreaterThan(1);
  });

  it('a kill -9 mid-stream: after the restart every event arrives, each key still in order', async () => {
    const ordered = await orderSink(5);
    const { file, dir } = manifests(BROKER + trigger('ordered', ordered.url, 'partitionkey'));
    const args = ['-f', file, '--store', store(dir)];
    const first = await start(args);
    await publishAll(first.url);
    await waitFor(() => ordered.delivered() >= TOTAL / 4, 'a quarter delivered', 30_000, 5);
    await first.kill();
    expect(ordered.delivered()).toBeLessThan(TOTAL);
    await start(args);
    await waitFor(() => ordered.delivered() === TOTAL, 'every event delivered after the restart', 60_000, 50);
    expect(outOfOrder(ordered.firstSuccesses())).toEqual([]);
  });
});

describe('ordered delivery with two processes on one Redis', { timeout: 120_000 }, () => {
  it('one process delivers the ordered trigger at a time; when it is killed the other takes over, in order', async () => {
    const ordered = await orderSink(5);
    const { file } = manifests(BROKER + trigger('ordered', ordered.url, 'partitionkey'));
    const prefix = redis.freshPrefix();
    const p0 = await start(['-f', file, '--store', redis.storeUrl({ prefix, consumer: 'p0', claimIdleMs: 1000 })]);
    const p1 = await start(['-f', file, '--store', redis.storeUrl({ prefix, consumer: 'p1', claimIdleMs: 1000 })]);
    await publishAll(p0.url);
    await waitFor(() => ordered.delivered() >= TOTAL / 4, 'a quarter delivered', 30_000, 5);
    const client = new Redis(redis.url);
    defer(() => client.quit());
    const holder = await client.get(`${prefix}lease:trigger/default/ordered`);
    expect(['p0', 'p1']).toContain(holder);
    expect(ordered.maxOpenPerKey()).toBe(1);
    await (holder === 'p0' ? p0 : p1).kill();
    await waitFor(() => ordered.delivered() === TOTAL, 'every event delivered by the other process', 60_000, 50);
    expect(await client.get(`${prefix}lease:trigger/default/ordered`)).toBe(holder === 'p0' ? 'p1' : 'p0');
    expect(outOfOrder(ordered.firstSuccesses())).toEqual([]);
  });
});
