/**
 * Long admin operations: `dlq redrive` of 30,000 dead letters goes in chunks the platform answers
 * quickly, finishes and says so; more ids than one request takes are sent in parts by the CLI and
 * refused with 400 by the API; and a chunk repeated (a lost answer) redoes nothing.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningCli, runCli, startCli } from '../support/cli.ts';
import { startHttpSink } from '../support/http-sink.ts';
import { brokerWithTrigger } from '../support/platform.ts';
import { tempDir } from '../support/temp-dir.ts';
import { waitFor } from '../support/wait-for.ts';

const COUNT = 30_000;
const dir = tempDir();
let accepting = false;
let platform: RunningCli;
const sinkPromise = startHttpSink((_r, res) => res.writeHead(accepting ? 200 : 400).end());

const deadLetterCount = async () => ((await (await fetch(`${platform.url}/api/v1/dead-letters?limit=100000`)).json()) as { deadLetters: unknown[] }).deadLetters.length;

beforeAll(async () => {
  const sink = await sinkPromise;
  const manifests = join(dir.path, 'manifests.yaml');
  writeFileSync(manifests, brokerWithTrigger('refused', sink.url));
  platform = await startCli(['-f', manifests, '--store', `sqlite:${join(dir.path, 'store.db')}`]);
  for (let from = 0; from < COUNT; from += 1000) {
    const batch = Array.from({ length: 1000 }, (_, i) => ({ specversion: '1.0', id: `e-${from + i}`, source: '/large', type: 't' }));
    const response = await fetch(`${platform.url}/default/default`, { method: 'POST', headers: { 'content-type': 'application/cloudevents-batch+json' }, body: JSON.stringify(batch) });
    expect(response.status).toBe(202);
  }
  await waitFor(async () => (await deadLetterCount()) === COUNT, `${COUNT} dead letters`, 120_000, 500);
}, 180_000);

afterAll(async () => {
  await platform.stop();
  await (await sinkPromise).close();
  dir.remove();
});

describe('Long admin operations', () => {
  it('the API refuses more ids than one request takes with 400 and the bound, and answers large selections in chunks with next', async () => {
    const ids = Array.from({ length: 10_001 }, (_, i) => String(i + 1));
    const tooMany = await fetch(`${platform.url}/api/v1/dead-letters/redrive`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ids, dryRun: true }) });
    expect(tooMany.status).toBe(400);
    expect(((await tooMany.json()) as { message: string }).message).toContain('has more than 10000 ids');
    const first = (await (await fetch(`${platform.url}/api/v1/dead-letters/purge`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ all: true, dryRun: true }) })).json()) as {
      ids: string[];
      total: number;
      next: { after: string; until: number };
    };
    expect(first.ids).toHaveLength(1000);
    expect(first.total).toBe(COUNT);
    expect(first.next.after).toBe(first.ids.at(-1));
  });

  it('dlq redrive of 30,000 ids (three times what one request takes) in --dry-run goes in parts and reports every one', async () => {
    const ids = Array.from({ length: COUNT }, (_, i) => String(i + 1));
    const result = await runCli(['dlq', 'redrive', ...ids, '--dry-run', '--url', platform.url]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`would redrive: ${COUNT}, failed: 0`);
  }, 120_000);

  it('dlq redrive --all of 30,000 finishes, reports each once and says it succeeded; repeating it finds nothing left', async () => {
    accepting = true;
    const started = Date.now();
    const result = await runCli(['dlq', 'redrive', '--all', '--url', platform.url]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`redriven: ${COUNT}, failed: 0`);
    expect(result.stdout.trim().split('\n')).toHaveLength(COUNT);
    expect(Date.now() - started).toBeLessThan(90_000);
    expect(await deadLetterCount()).toBe(0);
    const again = await runCli(['dlq', 'redrive', '--all', '--url', platform.url]);
    expect(again.stderr).toContain('redriven: 0, failed: 0');
    const sink = await sinkPromise;
    await waitFor(() => sink.received.length >= 2 * COUNT, 'every redriven event delivered', 120_000, 500);
    expect(new Set(sink.received.slice(COUNT).map((r) => r.headers['ce-id'])).size).toBe(COUNT);
  }, 240_000);
});
