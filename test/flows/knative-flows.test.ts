/**
 * The Knative documentation's flow manifests (test/fixtures/knative/) run unchanged, their
 * Knative Services replaced by local HTTP sinks through --service-url (destinationOverrides).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { eventOf, eventsAt, replyWithEvent, startAppender, startDisplay } from '../support/cloud-event-sinks.ts';
import { deferredCleanups } from '../support/cleanups.ts';
import { type HttpSink, startHttpSink } from '../support/http-sink.ts';
import { ONE_BROKER, startTestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait-for.ts';

const defer = deferredCleanups();
const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`../fixtures/knative/${name}`, import.meta.url)), 'utf8');
const manifests = (...names: string[]) => [ONE_BROKER, ...names.map(fixture)].join('\n---\n');

async function sinks<T extends string>(entries: Record<T, Promise<HttpSink>>): Promise<Record<T, HttpSink>> {
  const started = {} as Record<T, HttpSink>;
  for (const [name, sink] of Object.entries(entries) as Array<[T, Promise<HttpSink>]>) {
    started[name] = await sink;
    defer(() => started[name].close());
  }
  return started;
}

const overrides = (named: Record<string, HttpSink>) => new Map(Object.entries(named).map(([name, sink]) => [name, sink.url]));

async function publish(url: string, event: { id: string; type: string; source?: string; data: unknown }): Promise<number> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/cloudevents+json' },
    body: JSON.stringify({ specversion: '1.0', source: '/test', datacontenttype: 'application/json', ...event }),
  });
  return response.status;
}


describe('Knative flows from the documentation', () => {
  it('the Sequence example: a ping event through three appenders, the reply to the broker, and a trigger on the reply type (sequence-with-broker-trigger)', async () => {
    const s = await sinks({ first: startAppender(' - Handled by 0'), second: startAppender(' - Handled by 1'), third: startAppender(' - Handled by 2'), 'sequence-display': startDisplay() });
    const platform = await startTestPlatform(manifests('sequence-reply-to-broker.yaml', 'trigger-attributes-filter-to-sequence.yaml', 'trigger-attributes-filter-reply-type.yaml'), {
      destinationOverrides: overrides(s),
    });
    defer(() => platform.stop());
    expect(await publish(`${platform.url}/default/default`, { id: 'ping-1', type: 'dev.knative.sources.ping', data: { message: 'Hello world!' } })).toBe(202);
    await waitFor(() => s['sequence-display'].received.length >= 1, 'the reply at sequence-display');
    const [shown] = eventsAt(s['sequence-display']);
    expect(shown?.type).toBe('samples.http.mod3');
    expect(shown?.data).toEqual({ message: 'Hello world! - Handled by 0 - Handled by 1 - Handled by 2' });
    // Each step got what the one before answered, once.
    expect(eventsAt(s.first).map((e) => e.data['message'])).toEqual(['Hello world!']);
    expect(eventsAt(s.second).map((e) => e.data['message'])).toEqual(['Hello world! - Handled by 0']);
    expect(eventsAt(s.third).map((e) => e.data['message'])).toEqual(['Hello world! - Handled by 0 - Handled by 1']);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(s['sequence-display'].received).toHaveLength(1);
  });

  it('sequence-reply-to-service: the last reply goes to the event-display Service; published to the Sequence directly', async () => {
    const s = await sinks({ first: startAppender(' 0'), second: startAppender(' 1'), third: startAppender(' 2'), 'event-display': startDisplay() });
    const platform = await startTestPlatform(manifests('sequence-reply-to-service.yaml'), { destinationOverrides: overrides(s) });
    defer(() => platform.stop());
    for (let i = 0; i < 5; i++) expect(await publish(`${platform.url}/flows/default/sequences/sequence`, { id: `e${i}`, type: 't', data: { message: `m${i}` } })).toBe(202);
    await waitFor(() => s['event-display'].received.length >= 5, 'five replies at event-display');
    expect(eventsAt(s['event-display']).map((e) => e.data['message']).sort()).toEqual(['m0 0 1 2', 'm1 0 1 2', 'm2 0 1 2', 'm3 0 1 2', 'm4 0 1 2']);
  });

  /** Knative's mutual-exclusivity sample: a filter passes the event (answers it) or drops it (answers nothing). */
  const parity = (keep: 'even' | 'odd') =>
    startHttpSink((request, response) => {
      const event = eventOf(request);
      const even = Number(event.data['number']) % 2 === 0;
      if (even === (keep === 'even')) replyWithEvent(response, event);
      else response.writeHead(200).end();
    });
  const transformer = (label: string) =>
    startHttpSink((request, response) => {
      const event = eventOf(request);
      replyWithEvent(response, { ...event, type: `com.example.${label}`, data: { ...event.data, by: label } });
    });

  it('parallel-ref-filters: both filters see every event, each passes its half, the branch subscribers reply to spec.reply', async () => {
    const s = await sinks({
      'even-filter': parity('even'),
      'odd-filter': parity('odd'),
      'even-transformer': transformer('even'),
      'odd-transformer': transformer('odd'),
      'event-display': startDisplay(),
    });
    const platform = await startTestPlatform(manifests('parallel-ref-filters.yaml'), { destinationOverrides: overrides(s) });
    defer(() => platform.stop());
    for (let n = 1; n <= 6; n++) expect(await publish(`${platform.url}/flows/default/parallels/odd-even-parallel`, { id: `n${n}`, type: 'number', data: { number: n } })).toBe(202);
    await waitFor(() => s['event-display'].received.length >= 6, 'six replies at event-display');
    expect(s['even-filter'].received).toHaveLength(6);
    expect(s['odd-filter'].received).toHaveLength(6);
    expect(eventsAt(s['even-transformer']).map((e) => e.data['number']).sort()).toEqual([2, 4, 6]);
    expect(eventsAt(s['odd-transformer']).map((e) => e.data['number']).sort()).toEqual([1, 3, 5]);
    const shown = eventsAt(s['event-display']).map((e) => `${e.data['number']}:${e.data['by']}:${e.type}`).sort();
    expect(shown).toEqual(['1:odd:com.example.odd', '2:even:com.example.even', '3:odd:com.example.odd', '4:even:com.example.even', '5:odd:com.example.odd', '6:even:com.example.even']);
  });

  it('parallel-uri-filters with pingsource-sink-parallel: filter uris spelled as cluster addresses go to --service-url, and the PingSource feeds the Parallel', async () => {
    const switcher = await startHttpSink((request, response) => {
      const event = eventOf(request);
      const branch = request.url.endsWith('/0') ? 0 : 1;
      if (Number(event.data['number']) % 2 === branch) replyWithEvent(response, event);
      else response.writeHead(200).end();
    });
    defer(() => switcher.close());
    const s = await sinks({ 'me-even-transformer': transformer('even'), 'me-odd-transformer': transformer('odd'), 'me-event-display': startDisplay() });
    const platform = await startTestPlatform(manifests('parallel-uri-filters.yaml', 'pingsource-sink-parallel.yaml'), {
      destinationOverrides: new Map([...overrides(s), ['me-even-odd-switcher', switcher.url]]),
    });
    defer(() => platform.stop());
    for (let n = 1; n <= 4; n++) expect(await publish(`${platform.url}/flows/default/parallels/me-odd-even-parallel`, { id: `n${n}`, type: 'number', data: { number: n } })).toBe(202);
    await waitFor(() => s['me-event-display'].received.length >= 4, 'four replies at me-event-display');
    expect(switcher.received.map((r) => r.url).sort()).toEqual(['/0', '/0', '/0', '/0', '/1', '/1', '/1', '/1']);
    expect(eventsAt(s['me-event-display']).map((e) => `${e.data['number']}:${e.data['by']}`).sort()).toEqual(['1:odd', '2:even', '3:odd', '4:even']);
    // The PingSource's sink is the Parallel: its outbox delivers into the Parallel's channel.
    const brokers = (await (await fetch(`${platform.url}/api/v1/brokers`)).json()) as { brokers: Array<{ broker: string }> };
    expect(brokers.brokers.map((b) => b.broker)).toEqual(['default/default']);
    const listed = await fetch(`${platform.url}/api/v1/brokers/default/parallel:me-odd-even-parallel/events`);
    expect(listed.status).toBe(200);
  });
});
