/**
 * A Redis that comes back empty (restarted without persistence, flushed, failed over to a fresh
 * replica): the consumer groups are created again, events accepted after it are delivered, the
 * PingSource schedulers fire again, the loss is logged once at error level and /readyz says so.
 * A real redis-server started with --save '' --appendonly no, killed and started again.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpSink, startHttpSink } from '../support/http-sink.ts';
import { brokerWithTrigger, startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { type TestRedis, startRedis } from '../support/redis-server.ts';
import { waitFor } from '../support/wait-for.ts';

let redis: TestRedis;
let sink: HttpSink;
let platform: TestPlatform;
const lines: string[] = [];

beforeAll(async () => {
  redis = await startRedis({ private: true, args: ['--save', '', '--appendonly', 'no'] });
  sink = await startHttpSink();
  platform = await startTestPlatform(
    `${brokerWithTrigger('all', `${sink.url}/trigger`)}---
apiVersion: sources.knative.dev/v1
kind: PingSource
metadata: { name: tick }
spec:
  schedule: "* * * * * *"
  sink: { uri: "${sink.url}/ping" }
`,
    { store: redis.storeUrl(), logger: pino({ level: 'warn' }, { write: (line: string) => lines.push(line) }) },
  );
});
afterAll(async () => {
  await platform?.stop();
  await sink?.close();
  await redis?.stop();
});

const publish = (id: string) =>
  fetch(`${platform.url}/default/default`, { method: 'POST', headers: { 'ce-specversion': '1.0', 'ce-id': id, 'ce-source': '/test', 'ce-type': 't' } });
const delivered = (id: string) => sink.received.some((r) => r.url === '/trigger' && r.headers['ce-id'] === id);
const pings = () => sink.received.filter((r) => r.url === '/ping').length;

describe('A Redis that comes back empty', () => {
  it('recreates the consumer groups so events accepted after it are delivered, fires PingSources again, logs the loss once and says so in /readyz', async () => {
    expect((await publish('before')).status).toBe(202);
    await waitFor(() => delivered('before'), 'the event published before the loss to be delivered');
    await waitFor(() => pings() > 0, 'a ping before the loss');

    await redis.restart();
    const pingsAfterRestart = pings();
    // While the platform notices and reconnects, ingress answers 503; then 202 again.
    await waitFor(async () => (await publish('after')).status === 202, 'ingress to accept events again', 15_000, 100);
    await waitFor(() => delivered('after'), 'the event published after the loss to be delivered', 15_000);
    await waitFor(() => pings() > pingsAfterRestart, 'the PingSource to fire again', 15_000);

    const ready = await fetch(`${platform.url}/readyz`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { status: string; warnings?: string[] };
    expect(body.status).toBe('ready');
    expect(body.warnings?.[0]).toMatch(/^Redis at redis:\/\/127\.0\.0\.1:\d+\S* lost its data once, last at \d{4}-\S+Z \(restarted without persistence, flushed or failed over\): the events it held that were not delivered yet, the retries and the dead letters are gone; events accepted since are delivered$/);

    // A second event after the repair: still one loss, logged once.
    expect((await publish('later')).status).toBe(202);
    await waitFor(() => delivered('later'), 'a later event to be delivered');
    const errors = lines.map((line) => JSON.parse(line) as { level: number; msg: string; losses?: number }).filter((entry) => entry.level >= 50);
    expect(errors.filter((entry) => /lost its data/.test(entry.msg))).toEqual([expect.objectContaining({ losses: 1 })]);
  });
});
