/**
 * Several `switchyard run` processes on one Redis: they share the work, survive each other's
 * SIGKILL and a Redis restart, and carry out retries left in BullMQ while every process was down.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerResponse } from 'node:http';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisKeys } from '../../services/broker/redis/redis-keys.ts';
import { type RunningCli, runCli, startCli } from '../support/cli.ts';
import { type HttpSink, startHttpSink } from '../support/http-sink.ts';
import { type TestRedis, startRedis } from '../support/redis-server.ts';
import { tempDir } from '../support/temp-dir.ts';
import { waitFor } from '../support/wait-for.ts';
import { deferredCleanups } from '../support/cleanups.ts';

let redis: TestRedis;
beforeAll(async () => {
  // AOF with fsync on every write: the restart test needs what Redis acknowledged to survive it.
  redis = await startRedis({ persistence: true });
});
afterAll(async () => redis.stop());

const defer = deferredCleanups();

async function sink(responder?: Parameters<typeof startHttpSink>[0]): Promise<HttpSink> {
  const s = await startHttpSink(responder);
  defer(() => s.close());
  return s;
}

function manifests(body: string): string {
  const dir = tempDir();
  defer(() => dir.remove());
  const file = join(dir.path, 'manifests.yaml');
  writeFileSync(file, body);
  return file;
}

async function processes(file: string, store: (consumer: string) => string, count: number): Promise<RunningCli[]> {
  const started: RunningCli[] = [];
  for (let i = 0; i < count; i++) {
    const cli = await startCli(['-f', file, '--store', store(`p${i}`)]);
    defer(() => cli.kill().catch(() => undefined));
    started.push(cli);
  }
  return started;
}

const BROKER = `apiVersion: eventing.knative.dev/v1
kind: Broker
metadata: { name: default }
spec:
  delivery: { retry: 10, backoffDelay: PT0.1S, backoffPolicy: linear }
`;

function trigger(name: string, url: string, type?: string): string {
  const filter = type === undefined ? '' : `\n  filter: { attributes: { type: ${type} } }`;
  return `---
apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata: { name: ${name} }
spec:
  broker: default${filter}
  subscriber: { uri: "${url}" }
`;
}

const event = (id: string, type = 'com.example.a') => ({ specversion: '1.0', id, source: '/redis-test', type });

/** Posts a batch; the ids answered 202 are added to `accepted`. Returns the status. */
async function publishBatch(url: string, events: ReadonlyArray<ReturnType<typeof event>>, accepted?: Set<string>): Promise<number> {
  try {
    const response = await fetch(`${url}/default/default`, { method: 'POST', headers: { 'content-type': 'application/cloudevents-batch+json' }, body: JSON.stringify(events) });
    await response.arrayBuffer();
    if (response.status === 202) for (const e of events) accepted?.add(e.id);
    return response.status;
  } catch {
    return 0;
  }
}

/** Each id a sink answered 200, with how often. */
function countIds(s: HttpSink): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of s.received) {
    const id = String(r.headers['ce-id']);
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

describe('several processes on one Redis', { timeout: 120_000 }, () => {
  it('two processes share 10,000 events over three triggers: each matching trigger gets each event once', async () => {
    const all = await sink();
    const onlyA = await sink();
    const onlyB = await sink();
    const file = manifests(BROKER + trigger('all', all.url) + trigger('only-a', onlyA.url, 'com.example.a') + trigger('only-b', onlyB.url, 'com.example.b'));
    const prefix = redis.freshPrefix();
    const [p0, p1] = await processes(file, (consumer) => redis.storeUrl({ prefix, consumer }), 2);
    const total = 10_000;
    const accepted = new Set<string>();
    for (let from = 0; from < total; from += 200) {
      const events = Array.from({ length: 200 }, (_, i) => event(`e${from + i}`, (from + i) % 2 === 0 ? 'com.example.a' : 'com.example.b'));
      // Alternate the ingress: any process accepts for the brokers they share.
      expect(await publishBatch(((from / 200) % 2 === 0 ? p0 : p1)?.url ?? '', events, accepted)).toBe(202);
    }
    expect(accepted.size).toBe(total);
    await waitFor(() => all.received.length >= total && onlyA.received.length >= total / 2 && onlyB.received.length >= total / 2, 'every delivery', 60_000, 50);
    // Nothing more arrives afterwards (no late duplicates).
    await new Promise((resolve) => setTimeout(resolve, 500));
    const counts = [countIds(all), countIds(onlyA), countIds(onlyB)];
    expect(counts.map((c) => c.size)).toEqual([total, total / 2, total / 2]);
    expect([all, onlyA, onlyB].map((s) => s.received.length)).toEqual([total, total / 2, total / 2]);
    expect([...counts[1]!.keys()].every((id) => Number(id.slice(1)) % 2 === 0)).toBe(true);
    expect([...counts[2]!.keys()].every((id) => Number(id.slice(1)) % 2 === 1)).toBe(true);
  });

  it('one of two processes is killed with SIGKILL under load: the survivor takes over its entries, nothing accepted is lost', async () => {
    const total = 2000;
    // The sink answers the first quarter, then holds requests until the kill; then answers all.
    const held: ServerResponse[] = [];
    let holding = true;
    const answered = new Set<string>();
    const s = await sink((request, res) => {
      // Counted once the answer went out: an answer to the killed process's closed connection never does.
      res.on('finish', () => answered.add(String(request.headers['ce-id'])));
      if (holding && answered.size >= total / 4) held.push(res);
      else res.writeHead(200).end();
    });
    const file = manifests(BROKER + trigger('all', s.url));
    const prefix = redis.freshPrefix();
    const [victim, survivor] = await processes(file, (consumer) => redis.storeUrl({ prefix, consumer, claimIdleMs: 1000 }), 2);
    const accepted = new Set<string>();
    for (let from = 0; from < total; from += 100) {
      const events = Array.from({ length: 100 }, (_, i) => event(`k${from + i}`));
      await publishBatch(((from / 100) % 2 === 0 ? victim : survivor)?.url ?? '', events, accepted);
    }
    expect(accepted.size).toBe(total);
    await waitFor(() => answered.size >= total / 4 && held.length > 0, 'a quarter answered and more held', 20_000, 5);
    await victim?.kill();
    // Let the victim's connections close before the held requests are answered.
    await waitFor(() => held.filter((res) => !res.socket || res.socket.destroyed).length > 0, 'the victim\'s connections to close', 5000);
    holding = false;
    for (const res of held.splice(0)) if (res.socket && !res.socket.destroyed) res.writeHead(200).end();
    await waitFor(() => [...accepted].every((id) => answered.has(id)), 'every accepted event answered', 60_000, 50).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}: ${answered.size} of ${accepted.size} answered, ${s.received.length} received\n${survivor?.output().stderr.slice(-3000)}`);
    });
    // What the victim held was re-delivered by the survivor: duplicates after a crash, bounded by what was in flight.
    expect(s.received.length - answered.size).toBeLessThan(total / 2);
  });

  it('Redis restarted under load: 503 while it is away, recovery by itself, no accepted event lost', async () => {
    const s = await sink();
    // A second trigger's sink refuses each event's first attempt, so retries are being scheduled
    // in BullMQ throughout, the outage included.
    const seen = new Set<string>();
    const flaky = await sink((request, res) => {
      const id = String(request.headers['ce-id']);
      res.writeHead(seen.has(id) ? 200 : 503).end();
      seen.add(id);
    });
    const file = manifests(BROKER + trigger('all', s.url) + trigger('flaky', flaky.url));
    const prefix = redis.freshPrefix();
    // Entries whose acknowledgement was lost in the outage are taken up again after claim-idle.
    const [p] = await processes(file, (consumer) => redis.storeUrl({ prefix, consumer, claimIdleMs: 2000 }), 1);
    const accepted = new Set<string>();
    const statuses = new Map<number, number>();
    let publishing = true;
    let next = 0;
    const load = (async () => {
      while (publishing) {
        const events = Array.from({ length: 20 }, () => event(`r${next++}`));
        const status = await publishBatch(p?.url ?? '', events, accepted);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (status !== 202) await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    await waitFor(() => accepted.size >= 1000, 'load before the restart', 20_000);
    await redis.restart(1000);
    const afterRestart = accepted.size;
    await waitFor(() => accepted.size >= afterRestart + 1000, 'events accepted again after the restart', 20_000).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}: ${JSON.stringify([...statuses])}\n${p?.output().stderr.slice(-3000)}`);
    });
    publishing = false;
    await load;
    expect(statuses.get(503) ?? 0).toBeGreaterThan(0);
    expect([...statuses.keys()].filter((status) => status !== 202 && status !== 503)).toEqual([]);
    const delivered = () => new Set(countIds(s).keys());
    // The flaky sink answers 200 from the second request for an id on.
    const retriedOk = () => new Set([...countIds(flaky)].filter(([, n]) => n >= 2).map(([id]) => id));
    await waitFor(() => {
      const got = delivered();
      const retried = retriedOk();
      return [...accepted].every((id) => got.has(id) && retried.has(id));
    }, 'every accepted event delivered to both triggers', 90_000, 100).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}: ${delivered().size} and ${retriedOk().size} of ${accepted.size}\n${p?.output().stderr.slice(-3000)}`);
    });
  });

  it('a retry waiting in BullMQ while every process is stopped is carried out after they restart', async () => {
    let failing = true;
    const s = await sink((_request, res) => res.writeHead(failing ? 503 : 200).end());
    const file = manifests(
      BROKER.replace('retry: 10, backoffDelay: PT0.1S', 'retry: 3, backoffDelay: PT1S') + trigger('all', s.url),
    );
    const prefix = redis.freshPrefix();
    const store = (consumer: string) => redis.storeUrl({ prefix, consumer });
    const first = await processes(file, store, 2);
    expect(await publishBatch(first[0]?.url ?? '', [event('retried')])).toBe(202);
    await waitFor(() => s.received.length === 1, 'the first attempt');
    const queue = new Queue(new RedisKeys(prefix).retryQueue, { connection: { host: '127.0.0.1', port: Number(new URL(redis.url).port) }, prefix: new RedisKeys(prefix).bullPrefix });
    defer(() => queue.close());
    await waitFor(async () => (await queue.getDelayedCount()) === 1, 'the retry delayed in BullMQ');
    await Promise.all(first.map((p) => p.stop()));
    failing = false;
    const stoppedAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(s.received).toHaveLength(1);
    await processes(file, store, 2);
    await waitFor(() => s.received.length === 2, 'the retry after the restart', 20_000);
    expect(s.received[1]?.at ?? 0).toBeGreaterThan(stoppedAt);
    expect(s.received[1]?.headers['ce-id']).toBe('retried');
    await waitFor(async () => (await queue.getJobCounts('delayed', 'waiting', 'active')).delayed === 0, 'the retry to finish');
  });

  it('the dead-letter commands work from any process: list on one, redrive on the other', async () => {
    let refusing = true;
    const s = await sink((_request, res) => res.writeHead(refusing ? 422 : 200).end());
    const file = manifests(BROKER + trigger('all', s.url));
    const prefix = redis.freshPrefix();
    const [p0, p1] = await processes(file, (consumer) => redis.storeUrl({ prefix, consumer }), 2);
    expect(await publishBatch(p0?.url ?? '', [event('refused-1'), event('refused-2')])).toBe(202);
    const list = async (url: string) => {
      const out = (await runCli(['dlq', 'list', '--output', 'json', '--url', url])).stdout.trim();
      return (out === '' ? [] : out.split('\n').map((line) => JSON.parse(line))) as Array<{ id: string; event: { id: string }; reason: string }>;
    };
    const entries = await waitFor(async () => {
      const found = await list(p1?.url ?? '');
      return found.length === 2 ? found : undefined;
    }, 'both dead letters, listed by the other process');
    expect(entries.map((e) => e.event.id).sort()).toEqual(['refused-1', 'refused-2']);
    expect(entries[0]?.reason).toContain('not retried: the destination answered 422');
    refusing = false;
    const redriven = await runCli(['dlq', 'redrive', entries[0]?.id ?? '', '--url', p0?.url ?? '']);
    expect(redriven.code).toBe(0);
    await waitFor(() => s.received.length === 3, 'the redriven event delivered');
    expect(s.received[2]?.headers['ce-id']).toBe(entries[0]?.event.id);
    expect((await list(p1?.url ?? '')).map((e) => e.id)).toEqual([entries[1]?.id]);
  });
});
