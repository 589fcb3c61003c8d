/** HttpSender against real HTTP servers. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudEvent } from '../../services/cloudevents/cloud-event.ts';
import { HttpSender } from '../../services/dispatcher/delivery/http-sender.ts';
import { type HttpSink, startHttpSink } from '../support/http-sink.ts';

const event: CloudEvent = {
  attributes: { specversion: '1.0', id: 'e-1', source: '/test', type: 'com.example.test', datacontenttype: 'application/json', region: 'eu' },
  data: Buffer.from('{"n":1}'),
};
const binary = { format: 'binary' as const, timeoutMs: 2000 };

let sink: HttpSink;
let sender: HttpSender;
beforeAll(async () => {
  sink = await startHttpSink();
  sender = new HttpSender();
});
afterAll(async () => {
  await sender.close();
  await sink.close();
});

describe('HttpSender', () => {
  it('posts binary mode with Prefer: reply', async () => {
    sink.respond((_r, res) => res.writeHead(202).end());
    const outcome = await sender.send(`${sink.url}/path`, event, binary);
    expect(outcome).toEqual({ kind: 'delivered', status: 202, reply: undefined });
    const last = sink.received.at(-1);
    expect(last?.url).toBe('/path');
    expect(last?.headers['ce-id']).toBe('e-1');
    expect(last?.headers['ce-region']).toBe('eu');
    expect(last?.headers['content-type']).toBe('application/json');
    expect(last?.headers['prefer']).toBe('reply');
    expect(last?.body.toString()).toBe('{"n":1}');
  });

  it('posts structured mode with delivery.format json', async () => {
    sink.respond((_r, res) => res.writeHead(200).end());
    await sender.send(sink.url, event, { ...binary, format: 'json' });
    const last = sink.received.at(-1);
    expect(last?.headers['content-type']).toMatch(/^application\/cloudevents\+json/);
    expect(JSON.parse(last?.body.toString() ?? '{}')).toMatchObject({ id: 'e-1', region: 'eu', data: { n: 1 } });
  });

  it('a 200 with a binary-mode CloudEvent is a reply', async () => {
    sink.respond((_r, res) =>
      res.writeHead(200, { 'ce-specversion': '1.0', 'ce-id': 'r-1', 'ce-source': '/sink', 'ce-type': 'com.example.reply', 'content-type': 'text/plain' }).end('pong'),
    );
    const outcome = await sender.send(sink.url, event, binary);
    expect(outcome.kind).toBe('delivered');
    if (outcome.kind !== 'delivered') return;
    expect(outcome.reply?.attributes).toMatchObject({ id: 'r-1', type: 'com.example.reply' });
    expect(Buffer.from(outcome.reply?.data ?? []).toString()).toBe('pong');
  });

  it('a 201 with a structured CloudEvent is a reply', async () => {
    sink.respond((_r, res) =>
      res.writeHead(201, { 'content-type': 'application/cloudevents+json' }).end(JSON.stringify({ specversion: '1.0', id: 'r-2', source: '/s', type: 't' })),
    );
    const outcome = await sender.send(sink.url, event, binary);
    expect(outcome.kind === 'delivered' && outcome.reply?.attributes['id']).toBe('r-2');
  });

  it('a 202 is never a reply, even with a CloudEvent', async () => {
    sink.respond((_r, res) => res.writeHead(202, { 'ce-specversion': '1.0', 'ce-id': 'r', 'ce-source': '/s', 'ce-type': 't' }).end());
    expect(await sender.send(sink.url, event, binary)).toEqual({ kind: 'delivered', status: 202, reply: undefined });
  });

  it('a 2xx whose body is not a CloudEvent is success without a reply', async () => {
    sink.respond((_r, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
    expect(await sender.send(sink.url, event, binary)).toEqual({ kind: 'delivered', status: 200, reply: undefined });
  });

  it('an error status fails with the first 1024 bytes of the body and Retry-After', async () => {
    sink.respond((_r, res) => res.writeHead(503, { 'retry-after': '7' }).end('x'.repeat(5000)));
    const outcome = await sender.send(sink.url, event, binary);
    expect(outcome).toMatchObject({ kind: 'failed', status: 503, retryAfter: '7' });
    expect(outcome.kind === 'failed' && outcome.body.byteLength).toBe(1024);
  });

  it('an error body arriving in many chunks is cut at 1024 bytes', async () => {
    sink.respond((_r, res) => {
      res.writeHead(500);
      for (let i = 0; i < 10; i++) res.write(`${i}`.repeat(300));
      res.end();
    });
    const outcome = await sender.send(sink.url, event, binary);
    expect(outcome.kind === 'failed' && Buffer.from(outcome.body).toString()).toBe(`${'0'.repeat(300)}${'1'.repeat(300)}${'2'.repeat(300)}${'3'.repeat(124)}`);
  });

  it('an informational response (103 Early Hints) before the reply is passed over', async () => {
    sink.respond((_r, res) => {
      res.writeEarlyHints({ link: '</style.css>; rel=preload' });
      res.writeHead(200, { 'ce-specversion': '1.0', 'ce-id': 'r-3', 'ce-source': '/sink', 'ce-type': 'com.example.reply', 'content-type': 'text/plain' }).end('after hints');
    });
    const outcome = await sender.send(sink.url, event, binary);
    expect(outcome.kind === 'delivered' && outcome.reply?.attributes['id']).toBe('r-3');
    expect(outcome.kind === 'delivered' && Buffer.from(outcome.reply?.data ?? []).toString()).toBe('after hints');
  });

  it('the path and query of the URL are sent as they are', async () => {
    sink.respond((_r, res) => res.writeHead(202).end());
    await sender.send(`${sink.url}/hooks/in?tenant=a%20b&x=1`, event, binary);
    expect(sink.received.at(-1)?.url).toBe('/hooks/in?tenant=a%20b&x=1');
  });

  it('a URL that cannot be parsed fails the attempt without a status', async () => {
    const outcome = await sender.send('not a url', event, binary);
    expect(outcome).toMatchObject({ kind: 'failed', status: undefined });
    expect(outcome.kind === 'failed' && outcome.error).toBe('the destination URL is not valid: Invalid URL');
  });

  it('a timeout fails without a status', async () => {
    sink.respond(() => undefined);
    const started = Date.now();
    const outcome = await sender.send(sink.url, event, { ...binary, timeoutMs: 200 });
    expect(outcome).toMatchObject({ kind: 'failed', status: undefined, error: 'no answer within the 200 ms timeout' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('a refused connection fails without a status', async () => {
    const outcome = await sender.send('http://127.0.0.1:9/', event, binary);
    expect(outcome).toMatchObject({ kind: 'failed', status: undefined });
    expect(outcome.kind === 'failed' && outcome.error).toMatch(/network error: ECONNREFUSED/);
  });
});
