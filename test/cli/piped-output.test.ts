/**
 * Piped output is not truncated: every command that can print a lot (explain, events, dlq list,
 * cesql --batch) prints all of it into a pipe whose reader is slow, more than 1 MB each time.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningCli, runCliThroughSlowPipe, startCli } from '../support/cli.ts';
import { type HttpSink, startHttpSink } from '../support/http-sink.ts';
import { brokerWithTrigger } from '../support/platform.ts';
import { tempDir } from '../support/temp-dir.ts';
import { waitFor } from '../support/wait-for.ts';

const MB = 1024 * 1024;
const COUNT = 1500;
const dir = tempDir();
let sink: HttpSink;
let platform: RunningCli;

const lines = (text: string) => text.split('\n').filter((line) => line !== '');

beforeAll(async () => {
  // Every delivery is refused for good (400 is not retried): each event becomes a dead letter.
  sink = await startHttpSink((_r, res) => res.writeHead(400).end());
  const manifests = join(dir.path, 'manifests.yaml');
  writeFileSync(manifests, brokerWithTrigger('refused', sink.url));
  platform = await startCli(['-f', manifests, '--store', `sqlite:${join(dir.path, 'store.db')}`]);
  const padding = 'x'.repeat(800);
  for (let start = 0; start < COUNT; start += 500) {
    const batch = Array.from({ length: 500 }, (_, i) => ({ specversion: '1.0', id: `e-${start + i}`, source: '/pipe', type: 'com.example.big', data: { padding } }));
    const response = await fetch(`${platform.url}/default/default`, { method: 'POST', headers: { 'content-type': 'application/cloudevents-batch+json' }, body: JSON.stringify(batch) });
    expect(response.status).toBe(202);
  }
  await waitFor(async () => sink.received.length >= COUNT, 'every event to be refused by the sink', 30_000);
}, 60_000);

afterAll(async () => {
  await platform.stop();
  await sink.close();
  dir.remove();
});

describe('Piped output is truncated (no longer)', () => {
  it('switchyard events --output json prints every event into a slow pipe', async () => {
    const result = await runCliThroughSlowPipe(['events', '--broker', 'default/default', '--output', 'json', '--url', platform.url]);
    expect(result.code).toBe(0);
    expect(result.stdout.length).toBeGreaterThan(MB);
    expect(lines(result.stdout)).toHaveLength(COUNT);
    expect(JSON.parse(lines(result.stdout).at(-1) as string).id).toBe(`e-${COUNT - 1}`);
  });

  it('switchyard dlq list --output json prints every dead letter into a slow pipe', async () => {
    await waitFor(async () => {
      const response = await fetch(`${platform.url}/api/v1/dead-letters?limit=${COUNT}`);
      return ((await response.json()) as { deadLetters: unknown[] }).deadLetters.length === COUNT;
    }, 'every event to be dead-lettered', 30_000);
    const result = await runCliThroughSlowPipe(['dlq', 'list', '--output', 'json', '--url', platform.url]);
    expect(result.code).toBe(0);
    expect(result.stdout.length).toBeGreaterThan(MB);
    expect(lines(result.stdout)).toHaveLength(COUNT);
  });

  it('switchyard explain --output json prints one line per event into a slow pipe', async () => {
    const events = Array.from({ length: 6000 }, (_, i) => JSON.stringify({ specversion: '1.0', id: `x-${i}`, source: '/shop', type: 'com.example.refund' })).join('\n');
    const result = await runCliThroughSlowPipe(['explain', '-f', 'examples/quickstart', '--event', '-', '--output', 'json'], { input: events });
    expect(result.code).toBe(0);
    expect(result.stdout.length).toBeGreaterThan(MB);
    expect(lines(result.stdout)).toHaveLength(6000);
  });

  it('switchyard cesql --batch prints one result per request into a slow pipe', async () => {
    const requests = Array.from({ length: 40_000 }, (_, i) => JSON.stringify({ expression: `CONCAT('${'y'.repeat(20)}', '${i}')` })).join('\n');
    const result = await runCliThroughSlowPipe(['cesql', '--batch'], { input: requests });
    expect(result.code).toBe(0);
    expect(result.stdout.length).toBeGreaterThan(MB);
    expect(lines(result.stdout)).toHaveLength(40_000);
    expect(lines(result.stdout).at(-1)).toBe(`{"value":"${'y'.repeat(20)}39999","error":null}`);
  });
});
