/**
 * Deeply nested JSON (`[` × 5,000): refused at every edge with 400 and the reason, in every
 * content mode; and whatever the store already holds still lists, delivers or dead-letters,
 * without failing a listing or stalling a cursor.
 */
import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH } from '../../services/cloudevents/json-depth.ts';
import { deferredCleanups } from '../support/cleanups.ts';
import { startHttpSink } from '../support/http-sink.ts';
import { startTestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait-for.ts';

const defer = deferredCleanups();
const nested = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
const DEEP = nested(5000);
const binary = (id: string) => ({ 'ce-specversion': '1.0', 'ce-id': id, 'ce-source': '/deep', 'ce-type': 'deep', 'content-type': 'application/json' });

describe('Deeply nested JSON', () => {
  it(`is refused with 400 and the reason in binary, structured and batch mode; ${MAX_JSON_DEPTH} levels are accepted`, async () => {
    const platform = await startTestPlatform();
    defer(() => platform.stop());
    const post = (headers: Record<string, string>, payload: string) => platform.http.inject({ method: 'POST', url: '/default/default', headers, payload });
    const structured = (data: string) => `{"specversion":"1.0","id":"s","source":"/deep","type":"deep","data":${data}}`;
    for (const response of [
      await post(binary('b'), DEEP),
      await post({ 'content-type': 'application/cloudevents+json' }, structured(DEEP)),
      await post({ 'content-type': 'application/cloudevents-batch+json' }, `[${structured(DEEP)}]`),
    ]) {
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ code: 'SWY_EVENT_INVALID', attribute: 'data', rule: `JSON data must not nest arrays and objects more than ${MAX_JSON_DEPTH} levels deep` });
    }
    expect(await platform.log.list('default/default')).toEqual([]);
    expect((await post(binary('ok-b'), nested(MAX_JSON_DEPTH))).statusCode).toBe(202);
    expect((await post({ 'content-type': 'application/cloudevents+json' }, structured(nested(MAX_JSON_DEPTH)))).statusCode).toBe(202);
    expect((await post({ 'content-type': 'application/cloudevents-batch+json' }, `[${structured(nested(MAX_JSON_DEPTH))}]`)).statusCode).toBe(202);
    // Brackets in a string are text, not nesting.
    expect((await post(binary('in-string'), JSON.stringify({ text: '['.repeat(5000) }))).statusCode).toBe(202);
  });

  it('a WebhookSource refuses a JSON body nested too deep with 400 SWY_WEBHOOK_REJECTED', async () => {
    const sink = await startHttpSink();
    defer(() => sink.close());
    const platform = await startTestPlatform(`apiVersion: switchyard.dev/v1alpha1
kind: WebhookSource
metadata: { name: open }
spec:
  sink: { uri: "${sink.url}" }
`);
    defer(() => platform.stop());
    const response = await platform.http.inject({ method: 'POST', url: '/webhooks/default/open', headers: { 'content-type': 'application/json' }, payload: DEEP });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'SWY_WEBHOOK_REJECTED', message: expect.stringContaining(`more than ${MAX_JSON_DEPTH} levels deep`) });
  });

  it('an event the store already holds that nests too deep lists, is delivered in JSON as data_base64, dead-letters, and never stalls the cursor', async () => {
    const sink = await startHttpSink((request, res) => res.writeHead(request.url === '/refusing' ? 400 : 200).end());
    defer(() => sink.close());
    const manifests = `apiVersion: eventing.knative.dev/v1
kind: Broker
metadata: { name: default }
---
apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata: { name: json }
spec:
  broker: default
  subscriber: { uri: "${sink.url}/json" }
  delivery: { format: json }
---
apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata: { name: refusing }
spec:
  broker: default
  subscriber: { uri: "${sink.url}/refusing" }
`;
    const platform = await startTestPlatform(manifests);
    defer(() => platform.stop());
    // As a store written before the edge refused such data holds it.
    await platform.log.append('default/default', [
      { attributes: { specversion: '1.0', id: 'deep', source: '/deep', type: 'deep', datacontenttype: 'application/json' }, data: Buffer.from(DEEP) },
      { attributes: { specversion: '1.0', id: 'after', source: '/deep', type: 'deep' } },
    ]);
    const at = (path: string, id: string) => sink.received.find((r) => r.url === path && (r.headers['ce-id'] === id || r.body.toString().includes(`"id":"${id}"`)));
    const delivered = await waitFor(() => at('/json', 'deep'), 'the deep event in structured mode');
    expect(JSON.parse(delivered.body.toString())).toMatchObject({ id: 'deep', datacontenttype: 'application/json', data_base64: Buffer.from(DEEP).toString('base64') });
    await waitFor(() => at('/json', 'after'), 'the event after it (the cursor went on)');

    const listing = await platform.http.inject({ method: 'GET', url: '/api/v1/brokers/default/default/events' });
    expect(listing.statusCode).toBe(200);
    expect(listing.json().events.map((e: { event: { id: string } }) => e.event.id)).toEqual(['deep', 'after']);

    const deadLetters = await waitFor(async () => {
      const response = await platform.http.inject({ method: 'GET', url: '/api/v1/dead-letters' });
      return response.statusCode === 200 && response.json().deadLetters.length === 2 ? response.json().deadLetters : undefined;
    }, 'both events refused by /refusing to be dead-lettered and listed');
    expect(deadLetters.map((d: { event: { id: string } }) => d.event.id).sort()).toEqual(['after', 'deep']);
  });
});
