/**
 * Several processes on one Redis share a flow as they share triggers: each step is a stream and a
 * consumer group in which every process is a consumer, so each event passes each step once,
 * whichever process takes it, and the reply chain crosses processes.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventOf, replyWithEvent } from '../support/cloud-event-sinks.ts';
import { deferredCleanups } from '../support/cleanups.ts';
import { type RunningCli, startCli } from '../support/cli.ts';
import { startHttpSink } from '../support/http-sink.ts';
import { startRedis, type TestRedis } from '../support/redis-server.ts';
import { tempDir } from '../support/temp-dir.ts';
import { waitFor } from '../support/wait-for.ts';

const defer = deferredCleanups();
let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => redis.stop());

describe('a Sequence on two processes sharing a Redis', () => {
  it('2,000 events published to both processes pass each of two steps once and reach the end once', async () => {
    const counts = [new Map<string, number>(), new Map<string, number>()];
    const steps = await Promise.all(
      [0, 1].map((i) =>
        startHttpSink((request, response) => {
          const event = eventOf(request);
          counts[i]?.set(event.id, (counts[i]?.get(event.id) ?? 0) + 1);
          replyWithEvent(response, { ...event, data: { message: `${String(event.data['message'] ?? '')}${i}` } });
        }),
      ),
    );
    const ends = new Map<string, string[]>();
    const end = await startHttpSink((request, response) => {
      const event = eventOf(request);
      ends.set(event.id, [...(ends.get(event.id) ?? []), String(event.data['message'])]);
      response.writeHead(202).end();
    });
    for (const s of [...steps, end]) defer(() => s.close());
    const dir = tempDir();
    defer(() => dir.remove());
    const file = join(dir.path, 'sequence.yaml');
    writeFileSync(
      file,
      `apiVersion: flows.knative.dev/v1
kind: Sequence
metadata: { name: s }
spec:
  steps:
    - uri: ${steps[0]?.url}
    - uri: ${steps[1]?.url}
    - uri: ${end.url}
`,
    );
    const prefix = redis.freshPrefix();
    const processes: RunningCli[] = [];
    for (const consumer of ['p0', 'p1']) {
      const cli = await startCli(['-f', file, '--store', redis.storeUrl({ prefix, consumer })]);
      defer(() => cli.kill().catch(() => undefined));
      processes.push(cli);
    }
    const total = 2000;
    for (let from = 0; from < total; from += 100) {
      const events = Array.from({ length: 100 }, (_, i) => ({ specversion: '1.0', id: `e-${from + i}`, source: '/two', type: 't', datacontenttype: 'application/json', data: { message: '' } }));
      const target = processes[(from / 100) % 2] as RunningCli;
      const response = await fetch(`${target.url}/flows/default/sequences/s`, { method: 'POST', headers: { 'content-type': 'application/cloudevents-batch+json' }, body: JSON.stringify(events) });
      expect(response.status).toBe(202);
    }
    await waitFor(() => ends.size >= total, 'every event at the end', 60_000, 50);
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const [i, seen] of counts.entries()) expect([...seen.values()].filter((n) => n !== 1), `step ${i} saw an event more than once`).toEqual([]);
    expect([...ends.values()].filter((messages) => messages.length !== 1 || messages[0] !== '01')).toEqual([]);
    for (const cli of processes) expect(await cli.stop()).toBe(0);
  }, 120_000);
});
