/**
 * What a Sequence, a Parallel and a Channel with Subscriptions do with each answer: a step that
 * answers nothing (or not a CloudEvent) ends the chain; a failing step retries by its own delivery
 * and dead-letters naming the flow and step, and redrive resumes there; a Parallel's filter drops
 * for its branch only; flows nest; a channel fans out to subscriptions that do not hold each other back.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { eventOf, eventsAt, replyWithEvent, startAppender, startDisplay } from '../support/cloud-event-sinks.ts';
import { deferredCleanups } from '../support/cleanups.ts';
import { type HttpSink, startHttpSink } from '../support/http-sink.ts';
import { ONE_BROKER, startTestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait-for.ts';

const defer = deferredCleanups();

async function sink(started: Promise<HttpSink>): Promise<HttpSink> {
  const s = await started;
  defer(() => s.close());
  return s;
}

async function publish(url: string, id: string, data: unknown, type = 'com.example.order'): Promise<number> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/cloudevents+json' },
    body: JSON.stringify({ specversion: '1.0', id, source: '/test', type, datacontenttype: 'application/json', data }),
  });
  return response.status;
}

interface DeadLetterJson {
  id: string;
  trigger: string;
  flow?: string;
  reason: string;
  attempts: unknown[];
  event: { id: string; data: Record<string, unknown>; knativeerrordest?: string; knativeerrorcode?: number };
}

async function deadLetters(url: string): Promise<DeadLetterJson[]> {
  return ((await (await fetch(`${url}/api/v1/dead-letters`)).json()) as { deadLetters: DeadLetterJson[] }).deadLetters;
}

const sequence = (name: string, steps: string[], extra = '') => `
apiVersion: flows.knative.dev/v1
kind: Sequence
metadata: { name: ${name} }
spec:
  steps:
${steps.map((step) => `    - ${step}`).join('\n')}
${extra}`;

describe('Sequence', () => {
  it('a step answering nothing, or a 2xx that is not a CloudEvent, ends the chain for that event; the others go on', async () => {
    const first = await sink(startAppender('+0', 'com.example.step'));
    const second = await sink(
      startHttpSink((request, response) => {
        const event = eventOf(request);
        if (event.data['stop'] === 'empty') response.writeHead(200).end();
        else if (event.data['stop'] === 'text') response.writeHead(200, { 'content-type': 'text/plain' }).end('fine, thanks');
        else replyWithEvent(response, { ...event, data: { ...event.data, message: `${String(event.data['message'])}+1` } });
      }),
    );
    const third = await sink(startDisplay());
    const platform = await startTestPlatform(sequence('s', [`uri: ${first.url}`, `uri: ${second.url}`, `uri: ${third.url}`]));
    defer(() => platform.stop());
    const at = `${platform.url}/flows/default/sequences/s`;
    expect(await publish(at, 'a', { message: 'a', stop: 'empty' })).toBe(202);
    expect(await publish(at, 'b', { message: 'b', stop: 'text' })).toBe(202);
    expect(await publish(at, 'c', { message: 'c' })).toBe(202);
    await waitFor(() => third.received.length >= 1 && second.received.length >= 3, 'c at the third step');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(eventsAt(third).map((e) => e.data['message'])).toEqual(['c+0+1']);
    expect(await deadLetters(platform.url)).toEqual([]);
  });

  it('a failing step retries by its own delivery, dead-letters naming the Sequence and the step with the event as it entered the step, and redrive resumes at that step', async () => {
    const first = await sink(startAppender('+0', 'com.example.step'));
    let failing = true;
    const second = await sink(
      startHttpSink((request, response) => {
        if (failing) return response.writeHead(503).end('down for maintenance');
        const event = eventOf(request);
        replyWithEvent(response, { ...event, data: { ...event.data, message: `${String(event.data['message'])}+1` } });
      }),
    );
    const third = await sink(startDisplay());
    const platform = await startTestPlatform(
      sequence('pipeline', [`uri: ${first.url}`, `uri: ${second.url}\n      delivery: { retry: 2, backoffPolicy: linear, backoffDelay: PT0.05S }`, `uri: ${third.url}`]),
    );
    defer(() => platform.stop());
    expect(await publish(`${platform.url}/flows/default/sequences/pipeline`, 'order-1', { message: 'o' })).toBe(202);
    const [dead] = await waitFor(async () => {
      const found = await deadLetters(platform.url);
      return found.length > 0 ? found : undefined;
    }, 'the dead letter');
    expect(second.received).toHaveLength(3);
    expect(dead).toMatchObject({ trigger: 'default/sequence:pipeline:step-1', flow: 'Sequence default/pipeline step 1' });
    expect(dead?.attempts).toHaveLength(3);
    expect(dead?.reason).toMatch(/retries exhausted: 3 attempts failed, the last with: .*503/);
    expect(dead?.event).toMatchObject({ id: 'order-1', data: { message: 'o+0' }, knativeerrordest: second.url, knativeerrorcode: 503 });
    failing = false;
    const redrive = await fetch(`${platform.url}/api/v1/dead-letters/redrive`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ all: true }) });
    expect(redrive.status).toBe(200);
    await waitFor(() => third.received.length >= 1, 'the redriven event at the third step');
    expect(eventsAt(third).map((e) => e.data['message'])).toEqual(['o+0+1']);
    // Resumed at step 1: step 0 was not asked again.
    expect(first.received).toHaveLength(1);
    expect(await deadLetters(platform.url)).toEqual([]);
  });

  it('nests: a Sequence as a step of another, and a Parallel as a step; a Trigger whose subscriber is a Sequence', async () => {
    const display = await sink(startDisplay());
    const a = await sink(startAppender(' a', 'com.example.step'));
    const b = await sink(startAppender(' b', 'com.example.step'));
    const left = await sink(startAppender(' left', 'com.example.left'));
    const right = await sink(startAppender(' right', 'com.example.right'));
    const platform = await startTestPlatform(`${ONE_BROKER}
---
apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata: { name: to-outer }
spec:
  broker: default
  filter: { attributes: { type: com.example.order } }
  subscriber: { ref: { apiVersion: flows.knative.dev/v1, kind: Sequence, name: outer } }
---
${sequence('outer', [`uri: ${a.url}`, 'ref: { apiVersion: flows.knative.dev/v1, kind: Sequence, name: inner }'])}
---
${sequence('inner', [`uri: ${b.url}`, 'ref: { apiVersion: flows.knative.dev/v1, kind: Parallel, name: fan }'])}
---
apiVersion: flows.knative.dev/v1
kind: Parallel
metadata: { name: fan }
spec:
  branches:
    - subscriber: { uri: ${left.url} }
    - subscriber: { uri: ${right.url} }
  reply: { uri: ${display.url} }
`);
    defer(() => platform.stop());
    expect(await publish(`${platform.url}/default/default`, 'n1', { message: 'x' })).toBe(202);
    await waitFor(() => display.received.length >= 2, 'both branches at the display');
    expect(eventsAt(display).map((e) => `${e.type}:${e.data['message']}`).sort()).toEqual(['com.example.left:x a b left', 'com.example.right:x a b right']);
  });
});

describe('Loops', () => {
  it('a Sequence replying to itself ends with a dead letter once the hop count runs out, instead of running forever', async () => {
    const echo = await sink(startAppender('', 'com.example.loop'));
    const platform = await startTestPlatform(sequence('loop', [`uri: ${echo.url}`], '  reply: { ref: { apiVersion: flows.knative.dev/v1, kind: Sequence, name: loop } }'));
    defer(() => platform.stop());
    expect(await publish(`${platform.url}/flows/default/sequences/loop`, 'round', { message: 'again' })).toBe(202);
    const [dead] = await waitFor(async () => {
      const found = await deadLetters(platform.url);
      return found.length > 0 ? found : undefined;
    }, 'the loop to be dead-lettered', 30_000);
    expect(dead?.reason).toMatch(/ran out of hops/);
    // 255 hops from the first store; each round is one step's reply stored back into the Sequence.
    expect(echo.received.length).toBeGreaterThan(200);
    expect(echo.received.length).toBeLessThanOrEqual(255);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(echo.received.length).toBeLessThanOrEqual(255);
  });
});

describe('Parallel', () => {
  it("a filter answering nothing drops the event for its branch only; a branch's reply goes to its own reply, the others' to spec.reply", async () => {
    const dropAll = await sink(startHttpSink((_request, response) => response.writeHead(200).end()));
    const passAll = await sink(startHttpSink((request, response) => replyWithEvent(response, eventOf(request))));
    const never = await sink(startAppender(' never', 'com.example.never'));
    const filtered = await sink(startAppender(' filtered', 'com.example.filtered'));
    const plain = await sink(startAppender(' plain', 'com.example.plain'));
    const own = await sink(startDisplay());
    const shared = await sink(startDisplay());
    const platform = await startTestPlatform(`${ONE_BROKER}
---
apiVersion: flows.knative.dev/v1
kind: Parallel
metadata: { name: p }
spec:
  branches:
    - filter: { uri: ${dropAll.url} }
      subscriber: { uri: ${never.url} }
    - filter: { uri: ${passAll.url} }
      subscriber: { uri: ${filtered.url} }
      reply: { uri: ${own.url} }
    - subscriber: { uri: ${plain.url} }
  reply: { uri: ${shared.url} }
`);
    defer(() => platform.stop());
    for (let i = 0; i < 3; i++) expect(await publish(`${platform.url}/flows/default/parallels/p`, `e${i}`, { message: `m${i}` })).toBe(202);
    await waitFor(() => own.received.length >= 3 && shared.received.length >= 3, 'the replies');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(dropAll.received).toHaveLength(3);
    expect(never.received).toHaveLength(0);
    expect(eventsAt(own).map((e) => e.data['message']).sort()).toEqual(['m0 filtered', 'm1 filtered', 'm2 filtered']);
    expect(eventsAt(shared).map((e) => e.data['message']).sort()).toEqual(['m0 plain', 'm1 plain', 'm2 plain']);
  });
});

describe('Channel and Subscription', () => {
  it('a channel fans out to every subscription; one failing into its dead letters does not hold back the other; replies go to the reply destination or are dropped and counted', async () => {
    const good = await sink(startAppender(' seen', 'com.example.seen'));
    const bad = await sink(startHttpSink((_request, response) => response.writeHead(400).end('no')));
    const quiet = await sink(startAppender(' unheard', 'com.example.unheard'));
    const display = await sink(startDisplay());
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(chunk.toString()), done()) }));
    const platform = await startTestPlatform(
      `${ONE_BROKER}
---
apiVersion: messaging.knative.dev/v1
kind: InMemoryChannel
metadata: { name: orders }
---
apiVersion: messaging.knative.dev/v1
kind: Subscription
metadata: { name: good }
spec:
  channel: { apiVersion: messaging.knative.dev/v1, kind: InMemoryChannel, name: orders }
  subscriber: { uri: ${good.url} }
  reply: { ref: { apiVersion: eventing.knative.dev/v1, kind: Broker, name: default } }
---
apiVersion: messaging.knative.dev/v1
kind: Subscription
metadata: { name: bad }
spec:
  channel: { apiVersion: messaging.knative.dev/v1, kind: InMemoryChannel, name: orders }
  subscriber: { uri: ${bad.url} }
---
apiVersion: messaging.knative.dev/v1
kind: Subscription
metadata: { name: quiet }
spec:
  channel: { apiVersion: messaging.knative.dev/v1, kind: Channel, name: orders }
  subscriber: { uri: ${quiet.url} }
---
apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata: { name: seen }
spec:
  broker: default
  filter: { attributes: { type: com.example.seen } }
  subscriber: { uri: ${display.url} }
`,
      { logger },
    );
    defer(() => platform.stop());
    for (let i = 0; i < 20; i++) expect(await publish(`${platform.url}/channels/default/orders`, `e${i}`, { message: `m${i}` })).toBe(202);
    await waitFor(() => display.received.length >= 20 && quiet.received.length >= 20, 'every reply of good at the broker, and quiet');
    const dead = await waitFor(async () => {
      const found = await deadLetters(platform.url);
      return found.length >= 20 ? found : undefined;
    }, 'twenty dead letters of bad');
    expect(new Set(dead.map((d) => d.trigger))).toEqual(new Set(['default/subscription:bad']));
    expect(dead[0]?.flow).toBe('Subscription default/bad');
    expect(bad.received).toHaveLength(20);
    expect(eventsAt(display).map((e) => e.data['message']).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `m${i} seen`).sort());
    const dropped = lines.map((line) => JSON.parse(line) as { msg: string; dropped?: number }).filter((line) => line.msg.startsWith('a reply was dropped'));
    expect(dropped.map((line) => line.dropped)).toEqual([1, 10]);
    expect(dropped[0]?.msg).toBe('a reply was dropped: Subscription default/quiet has no reply destination (1 so far)');
    // What the channel stored can be listed.
    const listed = (await (await fetch(`${platform.url}/api/v1/brokers/default/channel:orders/events`)).json()) as { events: unknown[] };
    expect(listed.events).toHaveLength(20);
  });

  it('answers as the broker ingress does: 404 naming what exists, 400 for an invalid event, OPTIONS handshake', async () => {
    const platform = await startTestPlatform(`${ONE_BROKER}
---
apiVersion: messaging.knative.dev/v1
kind: Channel
metadata: { name: c }
spec:
  channelTemplate: { apiVersion: messaging.knative.dev/v1, kind: InMemoryChannel }
`);
    defer(() => platform.stop());
    const missing = await fetch(`${platform.url}/channels/default/nope`, { method: 'POST', headers: { 'content-type': 'application/cloudevents+json' }, body: '{}' });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { message: string }).message).toBe('no channel default/nope is configured (expected one of: /channels/default/c)');
    const invalid = await fetch(`${platform.url}/channels/default/c`, { method: 'POST', headers: { 'content-type': 'application/cloudevents+json' }, body: '{"specversion":"1.0"}' });
    expect(invalid.status).toBe(400);
    const options = await fetch(`${platform.url}/channels/default/c`, { method: 'OPTIONS', headers: { 'webhook-request-origin': 'example.com' } });
    expect(options.status).toBe(200);
    expect(options.headers.get('webhook-allowed-origin')).toBe('example.com');
    const sequenceMissing = await fetch(`${platform.url}/flows/default/sequences/nope`, { method: 'POST', body: '' });
    expect(sequenceMissing.status).toBe(404);
  });
});
