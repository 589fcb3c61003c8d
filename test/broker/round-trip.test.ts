/**
 * The same events published in structured, binary and batch mode read back identical through
 * `switchyard events --output json`: attributes, extensions, data bytes and data_base64.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform();
});
afterAll(async () => platform.stop());

interface Sample {
  readonly name: string;
  /** The event in the JSON event format, without id. */
  readonly json: Record<string, unknown>;
  /** The binary-mode body and content type of the same event. */
  readonly body: Buffer | undefined;
}

const allBytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
const common = { specversion: '1.0', source: 'https://example.com/orders', type: 'com.example.order.created', region: 'eu-west', tenant: 'acme' };
const samples: Sample[] = [
  { name: 'json', json: { ...common, datacontenttype: 'application/json', data: { order: 42, items: ['a', 'b'], note: 'café' } }, body: Buffer.from('{"order":42,"items":["a","b"],"note":"café"}') },
  { name: 'text', json: { ...common, datacontenttype: 'text/plain; charset=utf-8', data: 'hello wörld\nline two' }, body: Buffer.from('hello wörld\nline two') },
  { name: 'bytes', json: { ...common, datacontenttype: 'application/octet-stream', data_base64: allBytes.toString('base64') }, body: allBytes },
  { name: 'nodata', json: { ...common, subject: 'order/42', dataschema: 'https://example.com/schemas/order.json', time: '2026-11-23T10:00:00.123Z' }, body: undefined },
];

function binaryHeaders(json: Record<string, unknown>, id: string): Record<string, string> {
  const headers: Record<string, string> = { 'ce-id': id };
  for (const [name, value] of Object.entries(json)) {
    if (name === 'data' || name === 'data_base64') continue;
    if (name === 'datacontenttype') headers['content-type'] = String(value);
    else headers[`ce-${name}`] = String(value);
  }
  return headers;
}

async function publish(headers: Record<string, string>, body: string | Buffer | undefined): Promise<number> {
  const response = await fetch(`${platform.url}/default/default`, { method: 'POST', headers, body: body as BodyInit | undefined });
  await response.arrayBuffer();
  return response.status;
}

describe('structured, binary and batch events read back identical', () => {
  it('publishes every sample three ways and reads all of them back the same', async () => {
    for (const sample of samples) {
      expect(await publish({ 'content-type': 'application/cloudevents+json' }, JSON.stringify({ ...sample.json, id: `${sample.name}-structured` }))).toBe(202);
      expect(await publish(binaryHeaders(sample.json, `${sample.name}-binary`), sample.body)).toBe(202);
    }
    const batch = samples.map((s) => ({ ...s.json, id: `${s.name}-batch` }));
    expect(await publish({ 'content-type': 'application/cloudevents-batch+json' }, JSON.stringify(batch))).toBe(202);

    const result = await runCli(['events', '--broker', 'default/default', '--output', 'json', '--url', platform.url]);
    expect(result.code).toBe(0);
    const read = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(read).toHaveLength(samples.length * 3);

    for (const sample of samples) {
      for (const mode of ['structured', 'binary', 'batch']) {
        const found = read.find((e) => e['id'] === `${sample.name}-${mode}`);
        expect(found, `${sample.name} via ${mode}`).toBeDefined();
        const { id: _id, knativearrivaltime, knativebrokerttl, ...rest } = found as Record<string, unknown>;
        expect(rest, `${sample.name} via ${mode}`).toEqual(sample.json);
        expect(Number.isNaN(Date.parse(String(knativearrivaltime)))).toBe(false);
        expect(knativebrokerttl).toBe(255);
      }
    }
    const bytes = read.find((e) => e['id'] === 'bytes-binary');
    expect(Buffer.from(String(bytes?.['data_base64']), 'base64').equals(allBytes)).toBe(true);
  });

  it('keeps the JSON types of extensions published in structured and batch mode', async () => {
    const event = { ...common, id: 'typed-1', count: 7, enabled: true, negative: -2147483648 };
    expect(await publish({ 'content-type': 'application/cloudevents+json' }, JSON.stringify(event))).toBe(202);
    const response = await fetch(`${platform.url}/api/v1/brokers/default/default/events?limit=1`);
    const body = (await response.json()) as { events: Array<{ event: Record<string, unknown> }> };
    expect(body.events[0]?.event).toMatchObject({ id: 'typed-1', count: 7, enabled: true, negative: -2147483648 });
  });
});
