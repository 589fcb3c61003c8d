/** `switchyard dlq` against a child `switchyard run` whose sink fails, then recovers. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningCli, runCli, startCli } from '../support/cli.ts';
import { type HttpSink, startHttpSink } from '../support/http-sink.ts';
import { tempDir } from '../support/temp-dir.ts';
import { waitFor } from '../support/wait-for.ts';

const dir = tempDir();
let sink: HttpSink;
let other: HttpSink;
let platform: RunningCli;

const dlq = (...args: string[]) => runCli(['dlq', ...args, '--url', platform.url]);
const listJson = async (...args: string[]) => {
  const result = await dlq('list', '--output', 'json', ...args);
  expect(result.code).toBe(0);
  return result.stdout.trim() === '' ? [] : result.stdout.trim().split('\n').map((line) => JSON.parse(line));
};

beforeAll(async () => {
  sink = await startHttpSink((_r, res) => res.writeHead(422).end('{"error":"unprocessable"}'));
  other = await startHttpSink();
  const manifests = join(dir.path, 'manifests.yaml');
  writeFileSync(
    manifests,
    `apiVersion: eventing.knative.dev/v1
kind: Broker
metadata: { name: default }
---
apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata: { name: orders }
spec:
  broker: default
  subscriber: { uri: "${sink.url}/orders" }
`,
  );
  platform = await startCli(['-f', manifests, '--store', `sqlite:${join(dir.path, 'store.db')}`]);
  for (const id of ['a', 'b', 'c']) {
    const sent = await runCli(['send', '--broker', 'default/default', '--url', platform.url, '--type', `com.example.${id === 'c' ? 'refund' : 'order'}`, '--id', id, '--data', '{"n":1}']);
    expect(sent.code).toBe(0);
  }
  await waitFor(async () => (await listJson()).length === 3, 'three dead letters');
});

afterAll(async () => {
  await platform.stop();
  await sink.close();
  await other.close();
  dir.remove();
});

describe('switchyard dlq', () => {
  it('list shows each entry with its trigger, code and reason', async () => {
    const result = await dlq('list');
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID  CREATED +TRIGGER +TYPE +EVENT-ID +CODE +REASON$/);
    // README examples that do not work as written: the table prints aligned, every cell under its heading.
    const starts = ['ID', 'CREATED', 'TRIGGER', 'TYPE', 'EVENT-ID', 'CODE', 'REASON'].map((name) => (lines[0] as string).indexOf(name));
    for (const line of lines.slice(1)) for (const start of starts.slice(1)) expect(line[start - 1], line).toBe(' ');
    for (const line of lines.slice(1)) for (const start of starts.slice(1)) expect(line[start], line).not.toBe(' ');
    expect(lines.slice(1).map((l) => l.split(/ {2,}/).slice(2, 6))).toEqual([
      ['default/orders', 'com.example.order', 'a', '422'],
      ['default/orders', 'com.example.order', 'b', '422'],
      ['default/orders', 'com.example.refund', 'c', '422'],
    ]);
    expect(lines[1]).toContain('not retried: the destination answered 422');
  });

  it('list --output json holds the dead-lettered CloudEvent in structured form, the trigger, attempts and reason', async () => {
    const [entry] = await listJson('--type', 'com.example.refund');
    expect(entry.trigger).toBe('default/orders');
    expect(entry.attempts).toEqual([expect.objectContaining({ status: 422, error: 'the destination answered 422' })]);
    expect(entry.event).toMatchObject({
      specversion: '1.0',
      id: 'c',
      type: 'com.example.refund',
      data: { n: 1 },
      knativeerrordest: `${sink.url}/orders`,
      knativeerrorcode: 422,
      knativeerrordata: Buffer.from('{"error":"unprocessable"}').toString('base64'),
    });
    expect(await listJson('--code', '500')).toEqual([]);
    expect(await listJson('--since', 'PT1H')).toHaveLength(3);
    expect(await listJson('--since', '2999-01-01T00:00:00Z')).toEqual([]);
  });

  it('Names without a namespace: --trigger NAME and --broker NAME mean default/NAME', async () => {
    expect(await listJson('--trigger', 'orders')).toHaveLength(3);
    expect(await listJson('--broker', 'default')).toHaveLength(3);
    const dry = await dlq('redrive', '--trigger', 'orders', '--type', 'com.example.refund', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stderr).toContain('would redrive: 1, failed: 0');
  });

  it('Names without a namespace: a filter naming a trigger or broker that does not exist is an error listing those that do, never "0 redriven"', async () => {
    const redrive = await dlq('redrive', '--trigger', 'ordres');
    expect(redrive.code).toBe(1);
    expect(redrive.stderr).toContain('404 SWY_TRIGGER_NOT_FOUND no trigger default/ordres is configured and no dead letter names it (expected one of: default/orders)');
    expect(redrive.stdout).toBe('');
    const list = await dlq('list', '--broker', 'other/default');
    expect(list.code).toBe(1);
    expect(list.stderr).toContain('404 SWY_BROKER_NOT_FOUND no broker other/default is configured and no dead letter names it (expected one of: default/default)');
    const purge = await dlq('purge', '--trigger', 'nope', '--yes');
    expect(purge.code).toBe(1);
    expect(purge.stderr).toContain('SWY_TRIGGER_NOT_FOUND');
    expect(await listJson()).toHaveLength(3);
  });

  it('show prints one entry', async () => {
    const [entry] = await listJson('--type', 'com.example.refund');
    const result = await dlq('show', entry.id);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Dead letter ${entry.id}`);
    expect(result.stdout).toContain('reason   not retried: the destination answered 422');
    expect((await dlq('show', '99999')).stderr).toContain('SWY_DEAD_LETTER_NOT_FOUND');
  });

  it('redrive --dry-run lists what would be redriven and changes nothing', async () => {
    const before = await listJson();
    const result = await dlq('redrive', '--type', 'com.example.order', '--dry-run');
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual(before.slice(0, 2).map((e) => `${e.id}  would-redrive  trigger default/orders`));
    expect(await listJson()).toEqual(before);
    expect(sink.received).toHaveLength(3);
  });

  it('redrive with no selection is refused as wrong usage', async () => {
    const result = await dlq('redrive');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('dlq redrive needs a selection');
  });

  it('redrive sends an entry back to its trigger, which delivers it', async () => {
    sink.respond((_r, res) => res.writeHead(200).end());
    const [first] = await listJson();
    const result = await dlq('redrive', first.id);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(`${first.id}  redriven  trigger default/orders`);
    const delivered = await waitFor(() => sink.received.find((r, i) => i >= 3 && r.headers['ce-id'] === first.event.id), 'the redriven delivery');
    expect(delivered.headers['ce-knativeerrorcode']).toBeUndefined();
    expect((await listJson()).map((e) => e.id)).not.toContain(first.id);
  });

  it('redrive --to delivers once to another URL', async () => {
    const [entry] = await listJson('--type', 'com.example.order');
    const result = await dlq('redrive', entry.id, '--to', `${other.url}/replay`);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('delivered');
    expect(other.received.at(-1)?.url).toBe('/replay');
    expect(other.received.at(-1)?.headers['ce-id']).toBe(entry.event.id);
  });

  it('purge asks for --yes, then deletes', async () => {
    const refused = await dlq('purge', '--all');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('purge would delete 1 dead letter; add --yes');
    expect(await listJson()).toHaveLength(1);
    const purged = await dlq('purge', '--all', '--yes');
    expect(purged.stdout.trim()).toBe('purged 1');
    expect(await listJson()).toEqual([]);
  });
});
