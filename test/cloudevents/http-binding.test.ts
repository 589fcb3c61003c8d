import { CloudEvent as SdkEvent, HTTP } from 'cloudevents';
import { describe, expect, it } from 'vitest';
import type { CloudEvent } from '../../services/cloudevents/cloud-event.ts';
import { eventsFromHttp, toBinaryHttp, toStructuredHttp } from '../../services/cloudevents/http-binding.ts';
import { eventFromJson, eventToJson } from '../../services/cloudevents/json-format.ts';
import { SwitchyardError } from '../../services/errors.ts';

const base = { specversion: '1.0', id: 'e-1', source: '/test', type: 'com.example.test' };

function parse(headers: Record<string, string>, body?: string | Buffer) {
  return eventsFromHttp(headers, body === undefined ? undefined : Buffer.from(body));
}

function failure(fn: () => unknown): SwitchyardError {
  try {
    fn();
  } catch (error) {
    if (error instanceof SwitchyardError) return error;
    throw error;
  }
  throw new Error('expected a SwitchyardError');
}

describe('HTTP binding, binary mode', () => {
  it('reads ce- headers as attributes and Content-Type as datacontenttype', () => {
    const { mode, events } = parse({ 'ce-specversion': '1.0', 'ce-id': '1', 'ce-source': '/s', 'ce-type': 't', 'ce-region': 'eu', 'content-type': 'application/json' }, '{"a": 1}');
    expect(mode).toBe('binary');
    expect(events[0]?.attributes).toEqual({ specversion: '1.0', id: '1', source: '/s', type: 't', region: 'eu', datacontenttype: 'application/json' });
    expect(Buffer.from(events[0]?.data ?? []).toString()).toBe('{"a": 1}');
  });

  it('percent-decodes header values (http-protocol-binding.md §3.1.3.2)', () => {
    const { events } = parse({ 'ce-specversion': '1.0', 'ce-id': '1', 'ce-source': '/s', 'ce-type': 't', 'ce-note': 'caf%C3%A9%20%22x%22' });
    expect(events[0]?.attributes['note']).toBe('café "x"');
  });

  it('CloudEvents HTTP binding 1.0.2 §3.1.3.2: a quoted-string header value is unescaped first, then percent-decoded once', () => {
    const headers = (extra: Record<string, string>) => ({ 'ce-specversion': '1.0', 'ce-id': '1', 'ce-source': '/s', 'ce-type': 't', ...extra });
    expect(parse(headers({ 'ce-subject': '"hello world"' })).events[0]?.attributes['subject']).toBe('hello world');
    expect(parse(headers({ 'ce-subject': '"say \\"hi\\" \\\\ bye"' })).events[0]?.attributes['subject']).toBe('say "hi" \\ bye');
    expect(parse(headers({ 'ce-subject': 'order "42 B"' })).events[0]?.attributes['subject']).toBe('order 42 B');
    expect(parse(headers({ 'ce-subject': '"caf%C3%A9 100%25"' })).events[0]?.attributes['subject']).toBe('café 100%');
    expect(parse(headers({ 'ce-id': '"a b"' })).events[0]?.attributes['id']).toBe('a b');
    const unclosed = failure(() => parse(headers({ 'ce-subject': '"hello' })));
    expect(unclosed.code).toBe('SWY_EVENT_INVALID');
    expect(unclosed.message).toBe('header ce-subject has a quoted string without its closing quote');
    expect(failure(() => parse(headers({ 'ce-subject': '%C0%A0' }))).message).toBe('header ce-subject has an invalid percent-encoding');
  });

  it('writes headers that percent-encode what HTTP cannot carry', () => {
    const message = toBinaryHttp({ attributes: { ...base, note: 'café "x" 100%' } });
    expect(message.headers['ce-note']).toBe('caf%C3%A9%20%22x%22%20100%25');
    const back = parse(message.headers as Record<string, string>);
    expect(back.events[0]?.attributes['note']).toBe('café "x" 100%');
  });

  it('refuses a request that is not a CloudEvent', () => {
    const error = failure(() => parse({ 'content-type': 'application/json' }, '{}'));
    expect(error.code).toBe('SWY_EVENT_MALFORMED');
  });

  it('refuses extension headers with names CloudEvents does not allow', () => {
    const error = failure(() => parse({ 'ce-specversion': '1.0', 'ce-id': '1', 'ce-source': '/s', 'ce-type': 't', 'ce-my-ext': 'x' }));
    expect(error.details?.['attribute']).toBe('my-ext');
  });
});

describe('JSON event format', () => {
  it('keeps data as JSON, text or base64 as it arrived', () => {
    const json = eventFromJson({ ...base, data: { a: [1, 2] } });
    const text = eventFromJson({ ...base, datacontenttype: 'text/plain', data: 'hello' });
    const b64 = eventFromJson({ ...base, datacontenttype: 'application/octet-stream', data_base64: 'AAEC/w==' });
    if (!json.ok || !text.ok || !b64.ok) throw new Error('expected valid events');
    expect(eventToJson(json.event)).toEqual({ ...base, data: { a: [1, 2] } });
    expect(eventToJson(text.event)).toEqual({ ...base, datacontenttype: 'text/plain', data: 'hello' });
    expect(eventToJson(b64.event)).toEqual({ ...base, datacontenttype: 'application/octet-stream', data_base64: 'AAEC/w==' });
    expect([...(b64.event.data ?? [])]).toEqual([0, 1, 2, 255]);
  });

  it('treats null attributes as absent (json-format.md §2.2)', () => {
    const outcome = eventFromJson({ ...base, subject: null, data: null });
    expect(outcome.ok && outcome.event.attributes).toEqual(base);
  });

  it('refuses data and data_base64 together', () => {
    const outcome = eventFromJson({ ...base, data: 1, data_base64: 'AA==' });
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.violations.map((v) => v.attribute)).toEqual(['data_base64']);
  });

  it('refuses data_base64 that is not base64', () => {
    const outcome = eventFromJson({ ...base, data_base64: 'not base64!' });
    expect(!outcome.ok && outcome.violations[0]?.attribute).toBe('data_base64');
  });

  it('renders binary-mode data by its content type', () => {
    const render = (datacontenttype: string | undefined, bytes: Buffer) =>
      eventToJson({ attributes: datacontenttype ? { ...base, datacontenttype } : base, data: bytes } satisfies CloudEvent);
    expect(render('application/json', Buffer.from('{"x":1}'))).toMatchObject({ data: { x: 1 } });
    expect(render('application/json', Buffer.from('{broken'))).toMatchObject({ data_base64: Buffer.from('{broken').toString('base64') });
    expect(render('text/plain; charset=utf-8', Buffer.from('hi'))).toMatchObject({ data: 'hi' });
    expect(render('image/png', Buffer.from([137, 80]))).toMatchObject({ data_base64: 'iVA=' });
    expect(render(undefined, Buffer.from([1]))).toMatchObject({ data_base64: 'AQ==' });
  });
});

describe('interoperability with the CloudEvents JavaScript SDK', () => {
  const sdkEvent = new SdkEvent({ id: 'sdk-1', source: '/sdk', type: 'com.example.sdk', datacontenttype: 'application/json', data: { n: 1 }, region: 'eu' });

  it('reads what the SDK writes in binary and structured mode', () => {
    for (const message of [HTTP.binary(sdkEvent), HTTP.structured(sdkEvent)]) {
      const headers = Object.fromEntries(Object.entries(message.headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
      const { events } = parse(headers, message.body as string);
      expect(eventToJson(events[0] as CloudEvent)).toMatchObject({ id: 'sdk-1', source: '/sdk', type: 'com.example.sdk', region: 'eu', data: { n: 1 } });
    }
  });

  it('writes what the SDK reads in binary and structured mode', () => {
    const ours: CloudEvent = { attributes: { ...base, datacontenttype: 'application/json', region: 'eu' }, data: Buffer.from('{"n":2}') };
    for (const message of [toBinaryHttp(ours), toStructuredHttp(ours)]) {
      const body = typeof message.body === 'string' ? message.body : Buffer.from(message.body ?? []).toString();
      const read = HTTP.toEvent({ headers: message.headers, body }) as SdkEvent;
      expect(read.id).toBe('e-1');
      expect(read['region']).toBe('eu');
      expect(read.data).toEqual({ n: 2 });
    }
  });
});
