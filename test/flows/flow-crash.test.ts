/**
 * SIGKILL mid-pipeline: 5,000 events through a 3-step Sequence of HTTP steps; the platform is
 * killed while step 1 and step 2 both hold deliveries unanswered (so events sit in every step's
 * channel and in flight). After a restart on the same store, every event answered 202 reaches the
 * last step at least once, having passed every step (its message says so). Both engines.
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

const TOTAL = 5000;
const defer = deferredCleanups();

let redis: TestRedis;
beforeAll(async () => {
  // AOF with fsync on every write: what Redis acknowledged survives the platform's kill (Redis itself is not killed).
  redis = await startRedis({ persistence: true });
});
afterAll(async () => redis.stop());

/** A step that appends its mark and answers, until it has answered `until` events; then it holds every request unanswered while `holding()`. */
async function step(mark: string, until: number, holding: () => boolean) {
  const answered = new Set<string>();
  const sink = await startHttpSink((request, response) => {
    if (holding() && answered.size >= until) return;
    const event = eventOf(request);
    answered.add(event.id);
    replyWithEvent(response, { ...event, data: { message: `${String(event.data['message'])}${mark}` } });
  });
  defer(() => sink.close());
  return { sink, answered };
}

describe.each(['embedded', 'redis'] as const)('SIGKILL mid-pipeline (%s)', (engine) => {
  it(`${TOTAL} events through 3 steps: after a restart every acknowledged event reaches the end, through every step`, async () => {
    const dir = tempDir();
    defer(() => dir.remove());
    let holding = true;
    const first = await step('0', TOTAL, () => false);
    const second = await step('1', TOTAL / 2, () => holding);
    const ends = new Map<string, string>();
    let endAnswers = 0;
    const last = await startHttpSink((request, response) => {
      if (holding && ends.size >= TOTAL / 4) return;
      const event = eventOf(request);
      ends.set(event.id, String(event.data['message']));
      endAnswers++;
      response.writeHead(202).end();
    });
    defer(() => last.close());
    const file = join(dir.path, 'pipeline.yaml');
    writeFileSync(
      file,
      `apiVersion: flows.knative.dev/v1
kind: Sequence
metadata:
  name: pipeline
  annotations: { switchyard.dev/max-in-flight: "50" }
spec:
  channelTemplate:
    apiVersion: messaging.knative.dev/v1
    kind: InMemoryChannel
    spec: { delivery: { retry: 10, backoffPolicy: linear, backoffDelay: PT0.2S } }
  steps:
    - uri: ${first.sink.url}
    - uri: ${second.sink.url}
    - uri: ${last.url}
`,
    );
    const store = engine === 'embedded' ? `sqlite:${join(dir.path, 'store.db')}` : redis.storeUrl({ consumer: 'flow-crash', claimIdleMs: 1000 });
    const args = ['-f', file, '--store', store];
    let running: RunningCli | undefined = await startCli(args);
    defer(async () => running?.kill().catch(() => undefined));
    const accepted = new Set<string>();
    for (let from = 0; from < TOTAL; from += 100) {
      const events = Array.from({ length: 100 }, (_, i) => ({ specversion: '1.0', id: `e-${from + i}`, source: '/crash', type: 'com.example.crash', datacontenttype: 'application/json', data: { message: '' } }));
      const response = await fetch(`${running.url}/flows/default/sequences/pipeline`, { method: 'POST', headers: { 'content-type': 'application/cloudevents-batch+json' }, body: JSON.stringify(events) });
      await response.arrayBuffer();
      if (response.status === 202) for (const e of events) accepted.add(e.id);
    }
    expect(accepted.size).toBe(TOTAL);
    await waitFor(() => second.answered.size >= TOTAL / 2 && ends.size >= TOTAL / 4 && last.received.length > endAnswers, 'steps 1 and 2 holding deliveries', 60_000, 5);
    await running.kill();
    running = undefined;
    expect(ends.size).toBeLessThan(TOTAL);
    holding = false;

    running = await startCli(args);
    await waitFor(() => ends.size >= TOTAL, 'every accepted event at the last step', 90_000, 50);
    expect([...accepted].filter((id) => !ends.has(id))).toEqual([]);
    // Every event went through step 0 and then step 1, in that order.
    expect([...ends.values()].filter((message) => message !== '01')).toEqual([]);
    // At least once: duplicates only from what was in flight at the kill.
    expect((endAnswers - ends.size) / TOTAL).toBeLessThan(0.5);
    expect(await running.stop()).toBe(0);
    running = undefined;
  }, 180_000);
});
