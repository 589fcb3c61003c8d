/** Broker ingress over fastify.inject against a real embedded store (docs/lifecycle.md). */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

let platform: TestPlatform;

beforeAll(async () => {
  platform = await startTestPlatform(undefined, { bodyLimit: 4096 });
});
afterAll(async () => platform.stop());

const binary = { 'ce-specversion': '1.0', 'ce-id': 'b-1', 'ce-source': '/test', 'ce-type': 'com.example.test' };
const structured = { specversion: '1.0', id: 's-1', source: '/test', type: 'com.example.test' };

async function stored(): Promise<number> {
  return (await platform.log.list('default/default')).length;
}

async function post(headers: Record<string, string>, payload?: string, url = '/default/default') {
  return platform.http.inject({ method: 'POST', url, headers, ...(payload === undefined ? {} : { payload }) });
}

function structuredPost(event: unknown) {
  return post({ 'content-type': 'application/cloudevents+json' }, JSON.stringify(event));
}

describe('each invalid-event rule answers 400 naming the attribute, and stores nothing', () => {
  const without = (name: string) => Object.fromEntries(Object.entries(structured).filter(([k]) => k !== name));
  const cases: Array<[string, () => ReturnType<typeof post>, string, RegExp]> = [
    ['id is required', () => structuredPost(without('id')), 'id', /id is required/],
    ['source is required', () => structuredPost(without('source')), 'source', /source is required/],
    ['type is required', () => structuredPost(without('type')), 'type', /type is required/],
    ['specversion is required (structured)', () => structuredPost(without('specversion')), 'specversion', /specversion is required/],
    ['specversion must be 1.0', () => structuredPost({ ...structured, specversion: '0.3' }), 'specversion', /must be "1.0"/],
    ['id must be non-empty', () => structuredPost({ ...structured, id: '' }), 'id', /non-empty/],
    ['id must be a string', () => structuredPost({ ...structured, id: 7 }), 'id', /must be a string/],
    ['source must be a URI-reference', () => structuredPost({ ...structured, source: 'a b' }), 'source', /URI-reference/],
    ['datacontenttype must be a media type', () => structuredPost({ ...structured, datacontenttype: 'json' }), 'datacontenttype', /media type/],
    ['dataschema must be an absolute URI', () => structuredPost({ ...structured, dataschema: 'schema.json' }), 'dataschema', /absolute URI/],
    ['subject must be non-empty', () => structuredPost({ ...structured, subject: '' }), 'subject', /non-empty/],
    ['time must be RFC 3339', () => structuredPost({ ...structured, time: '2026-01-01 10:00' }), 'time', /RFC 3339/],
    ['time must be a string', () => structuredPost({ ...structured, time: 1700000000 }), 'time', /must be a string/],
    ['extension names are lower-case alphanumeric (structured)', () => structuredPost({ ...structured, myExt: 'x' }), 'myExt', /lower-case letters/],
    ['extension names are lower-case alphanumeric (binary)', () => post({ ...binary, 'ce-my-ext': 'x' }), 'my-ext', /lower-case letters/],
    ['extension values are string, boolean or int32', () => structuredPost({ ...structured, big: 4294967296 }), 'big', /32-bit integer/],
    ['extension values are not objects', () => structuredPost({ ...structured, obj: { a: 1 } }), 'obj', /not an object/],
    ['data and data_base64 not both', () => structuredPost({ ...structured, data: 'x', data_base64: 'eA==' }), 'data_base64', /not both/],
    ['data_base64 must be base64', () => structuredPost({ ...structured, data_base64: '!!' }), 'data_base64', /base64/],
    ['binary mode needs ce-specversion', () => post({ 'ce-id': '1', 'ce-source': '/s', 'ce-type': 't' }), 'specversion', /specversion is required/],
    ['binary header values must be valid percent-encoding', () => post({ ...binary, 'ce-note': '%E0%A4%A' }), 'note', /percent/],
    ['knativebrokerttl must be an integer', () => post({ ...binary, 'ce-knativebrokerttl': 'many' }), 'knativebrokerttl', /integer/],
  ];

  it.each(cases)('%s', async (_name, send, attribute, rule) => {
    const before = await stored();
    const response = await send();
    expect(response.statusCode).toBe(400);
    const body = response.json();
    expect(body.attribute).toBe(attribute);
    expect(body.rule ?? body.message).toMatch(rule);
    expect(body.code).toMatch(/^SWY_EVENT_(INVALID|MALFORMED)$/);
    expect(await stored()).toBe(before);
  });

  it('a structured body that is not JSON is SWY_EVENT_MALFORMED', async () => {
    const response = await post({ 'content-type': 'application/cloudevents+json' }, '{"id":');
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('SWY_EVENT_MALFORMED');
  });

  it('a batch with one invalid event is refused whole, naming its index', async () => {
    const before = await stored();
    const batch = [structured, { ...structured, id: 'ok-2' }, { ...structured, id: 'bad', time: 'noon' }];
    const response = await post({ 'content-type': 'application/cloudevents-batch+json' }, JSON.stringify(batch));
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'SWY_EVENT_INVALID', index: 2, attribute: 'time' });
    expect(await stored()).toBe(before);
  });

  it('a batch that is not a JSON array is refused', async () => {
    const response = await post({ 'content-type': 'application/cloudevents-batch+json' }, JSON.stringify(structured));
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('SWY_EVENT_MALFORMED');
  });
});

describe('ingress statuses', () => {
  it('202 for a binary event, stamped with knativearrivaltime and knativebrokerttl', async () => {
    const response = await post({ ...binary, 'ce-id': 'stamp-1' });
    expect(response.statusCode).toBe(202);
    const entries = await platform.log.list('default/default', { limit: 1 });
    const attributes = entries[0]?.event.attributes ?? {};
    expect(attributes['id']).toBe('stamp-1');
    expect(attributes['knativebrokerttl']).toBe(255);
    expect(Date.now() - Date.parse(String(attributes['knativearrivaltime']))).toBeLessThan(60_000);
  });

  it('decrements a knativebrokerttl the event already carries', async () => {
    await post({ ...binary, 'ce-id': 'ttl-1', 'ce-knativebrokerttl': '10' });
    const entries = await platform.log.list('default/default', { limit: 1 });
    expect(entries[0]?.event.attributes['knativebrokerttl']).toBe(9);
  });

  it('400 SWY_TTL_EXHAUSTED when the hop count runs out, and nothing stored', async () => {
    const before = await stored();
    const response = await post({ ...binary, 'ce-knativebrokerttl': '1' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'SWY_TTL_EXHAUSTED', attribute: 'knativebrokerttl' });
    expect(await stored()).toBe(before);
  });

  it('202 for a whole batch, every event stored', async () => {
    const before = await stored();
    const batch = Array.from({ length: 5 }, (_, i) => ({ ...structured, id: `batch-${i}` }));
    const response = await post({ 'content-type': 'application/cloudevents-batch+json' }, JSON.stringify(batch));
    expect(response.statusCode).toBe(202);
    expect(response.json()).toEqual({ accepted: 5 });
    expect(await stored()).toBe(before + 5);
  });

  it('Trailing slash: POST /<ns>/<broker>/ is the broker, as Knative\'s ingress takes it', async () => {
    const before = await stored();
    const response = await post({ ...binary, 'ce-id': 'slash-1' }, undefined, '/default/default/');
    expect(response.statusCode).toBe(202);
    expect(await stored()).toBe(before + 1);
    const handshake = await platform.http.inject({ method: 'OPTIONS', url: '/default/default/', headers: { 'webhook-request-origin': 'example.com' } });
    expect(handshake.statusCode).toBe(200);
  });

  it('404 SWY_BROKER_NOT_FOUND for an unknown broker', async () => {
    const response = await post(binary, undefined, '/default/nope');
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ code: 'SWY_BROKER_NOT_FOUND', broker: 'default/nope' });
  });

  it('404 SWY_ROUTE_NOT_FOUND for a path that is no broker', async () => {
    const response = await post(binary, undefined, '/default/default/extra');
    expect(response.statusCode).toBe(404);
    expect(response.json().code).toBe('SWY_ROUTE_NOT_FOUND');
  });

  it.each([
    ['GET', '/api/v1'],
    ['GET', '/api/v2'],
    ['POST', '/api/v1/nothing'],
    ['GET', '/api/v1/brokers/default/default/nothing'],
    ['DELETE', '/default/nope'],
  ] as const)('Exit codes as documented: %s %s is 404 SWY_ROUTE_NOT_FOUND naming what is served, not "not allowed on a broker"', async (method, url) => {
    const response = await platform.http.inject({ method, url });
    expect(response.statusCode).toBe(404);
    expect(response.json().code).toBe('SWY_ROUTE_NOT_FOUND');
    expect(response.json().message).toMatch(url.startsWith('/api') ? /the admin API serves GET \/api\/v1\/brokers, / : /brokers take POST \/<namespace>\/<broker>/);
  });

  it('Exit codes as documented: headers over the limit are 431 SWY_HEADERS_TOO_LARGE in the platform\'s error shape, saying the limit', async () => {
    const response = await new Promise<{ status: number | undefined; body: string }>((resolve, reject) => {
      const request = httpRequest(`${platform.url}/default/default`, { method: 'POST', headers: { ...binary, 'x-padding': 'p'.repeat(20_000) } }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode, body }));
      });
      request.on('error', reject);
      request.end();
    });
    expect(response.status).toBe(431);
    expect(JSON.parse(response.body)).toEqual({ code: 'SWY_HEADERS_TOO_LARGE', message: 'the request headers are larger than the limit of 16 KiB (node --max-http-header-size raises it)', limitBytes: 16384 });
  });

  it.each(['GET', 'PUT', 'DELETE', 'PATCH'] as const)('405 for %s with an Allow header', async (method) => {
    const response = await platform.http.inject({ method, url: '/default/default' });
    expect(response.statusCode).toBe(405);
    expect(response.headers['allow']).toBe('POST, OPTIONS');
    expect(response.json().code).toBe('SWY_METHOD_NOT_ALLOWED');
  });

  it('413 SWY_BODY_TOO_LARGE over the body limit, nothing stored', async () => {
    const before = await stored();
    const response = await post({ ...binary, 'content-type': 'application/octet-stream' }, 'x'.repeat(5000));
    expect(response.statusCode).toBe(413);
    expect(response.json()).toEqual({ code: 'SWY_BODY_TOO_LARGE', message: 'the request body is larger than the limit of 4 KiB (--body-limit raises it)', limitBytes: 4096 });
    expect(await stored()).toBe(before);
  });

  it('415 for a structured event format other than JSON', async () => {
    const response = await post({ 'content-type': 'application/cloudevents+xml' }, '<event/>');
    expect(response.statusCode).toBe(415);
    expect(response.json().code).toBe('SWY_EVENT_FORMAT_UNSUPPORTED');
  });

  it('OPTIONS answers the CloudEvents webhook handshake', async () => {
    const response = await platform.http.inject({
      method: 'OPTIONS',
      url: '/default/default',
      headers: { 'webhook-request-origin': 'eventemitter.example.com', 'webhook-request-rate': '120' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['webhook-allowed-origin']).toBe('eventemitter.example.com');
    expect(response.headers['webhook-allowed-rate']).toBe('*');
    expect(response.headers['allow']).toBe('POST, OPTIONS');
  });

  it('healthz and readyz answer 200', async () => {
    expect((await platform.http.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await platform.http.inject({ method: 'GET', url: '/readyz' })).json()).toEqual({ status: 'ready' });
  });
});

describe('backpressure and store failure', () => {
  it('429 SWY_OVERLOADED with Retry-After when more events wait than the bound allows', async () => {
    const small = await startTestPlatform(undefined, { maxPendingEvents: 3 });
    try {
      const batch = Array.from({ length: 4 }, (_, i) => ({ ...structured, id: `over-${i}` }));
      const response = await small.http.inject({
        method: 'POST',
        url: '/default/default',
        headers: { 'content-type': 'application/cloudevents-batch+json' },
        payload: JSON.stringify(batch),
      });
      expect(response.statusCode).toBe(429);
      expect(response.headers['retry-after']).toBe('1');
      expect(response.json().code).toBe('SWY_OVERLOADED');
      expect(await small.log.list('default/default')).toEqual([]);
    } finally {
      await small.stop();
    }
  });

  it('503 SWY_STORE_UNAVAILABLE with Retry-After once the store is gone; readyz says so', async () => {
    const doomed = await startTestPlatform();
    try {
      await doomed.log.close();
      const response = await doomed.http.inject({ method: 'POST', url: '/default/default', headers: binary });
      expect(response.statusCode).toBe(503);
      expect(response.headers['retry-after']).toBe('5');
      expect(response.json().code).toBe('SWY_STORE_UNAVAILABLE');
      const ready = await doomed.http.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(503);
    } finally {
      await doomed.stop();
    }
  });
});
