/**
 * How flows are wired (pure: manifests in, the runtime configuration out), and flows as the
 * destinations of a source's sink and of a dead-letter sink, end to end.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadManifests } from '../../services/manifests/load-manifests.ts';
import { compileConfig } from '../../services/manifests/runtime-config.ts';
import { eventsAt, startAppender, startDisplay } from '../support/cloud-event-sinks.ts';
import { deferredCleanups } from '../support/cleanups.ts';
import { startHttpSink } from '../support/http-sink.ts';
import { ONE_BROKER, startTestPlatform } from '../support/platform.ts';
import { tempDir } from '../support/temp-dir.ts';
import { waitFor } from '../support/wait-for.ts';

const defer = deferredCleanups();
const COMPAT = fileURLToPath(new URL('../fixtures/knative/', import.meta.url));

function compiled(text: string) {
  const dir = tempDir();
  defer(() => dir.remove());
  const file = join(dir.path, 'm.yaml');
  writeFileSync(file, text);
  const loaded = loadManifests([file]);
  expect(loaded.problems).toEqual([]);
  return { config: compileConfig(loaded), warnings: loaded.warnings };
}

describe('flow wiring', () => {
  it('a Sequence: a log and a subscription per step, each reply to the next, the last to spec.reply (Knative: <seq>-kn-sequence-<i>)', () => {
    const loaded = loadManifests([`${COMPAT}sequence-reply-to-broker.yaml`]);
    const config = compileConfig(loaded);
    expect(config.flows.map((f) => f.wiring)).toEqual(['Sequence default/sequence: channel → first → second → third → reply Broker default/default']);
    const triggers = config.triggers.map((t) => [t.key, t.broker, t.replyTo, t.label]);
    expect(triggers).toEqual([
      ['default/sequence:sequence:step-0', 'default/sequence:sequence:step-0', 'default/sequence:sequence:step-1', 'Sequence default/sequence step 0'],
      ['default/sequence:sequence:step-1', 'default/sequence:sequence:step-1', 'default/sequence:sequence:step-2', 'Sequence default/sequence step 1'],
      ['default/sequence:sequence:step-2', 'default/sequence:sequence:step-2', 'default/default', 'Sequence default/sequence step 2'],
    ]);
    expect([...config.brokers.values()].map((b) => [b.key, b.internal, b.path])).toEqual([
      ['default/sequence:sequence:step-0', true, '/flows/default/sequences/sequence'],
      ['default/sequence:sequence:step-1', true, undefined],
      ['default/sequence:sequence:step-2', true, undefined],
    ]);
  });

  it('a Parallel: filter subscriptions on its channel reply into branch channels; a branch without a filter reads the Parallel channel; replies to a Service go through one shared outbox', () => {
    const { config } = compiled(`apiVersion: flows.knative.dev/v1
kind: Parallel
metadata: { name: p }
spec:
  branches:
    - filter: { uri: http://filter.example/ }
      subscriber: { uri: http://a.example/ }
    - subscriber: { uri: http://b.example/ }
      reply: { ref: { apiVersion: flows.knative.dev/v1, kind: Sequence, name: s } }
  reply: { ref: { apiVersion: serving.knative.dev/v1, kind: Service, name: display } }
---
apiVersion: flows.knative.dev/v1
kind: Sequence
metadata: { name: s }
spec:
  steps: [ { uri: http://step.example/ } ]
`);
    const wiring = config.flows.map((f) => f.wiring);
    expect(wiring).toEqual([
      'Sequence default/s: channel → http://step.example/ → no reply (the last step\'s replies are dropped)',
      'Parallel default/p: channel → branch 0: filter http://filter.example/ → http://a.example/ → reply display; branch 1: http://b.example/ → reply Sequence default/s',
    ]);
    const byKey = new Map(config.triggers.map((t) => [t.key, t]));
    expect(byKey.get('default/parallel:p:filter-0')).toMatchObject({ broker: 'default/parallel:p', replyTo: 'default/parallel:p:branch-0' });
    expect(byKey.get('default/parallel:p:branch-0')).toMatchObject({ broker: 'default/parallel:p:branch-0', replyTo: 'default/parallel:p:reply' });
    expect(byKey.get('default/parallel:p:branch-1')).toMatchObject({ broker: 'default/parallel:p', replyTo: 'default/sequence:s:step-0' });
    expect(byKey.get('default/parallel:p:reply')).toMatchObject({ broker: 'default/parallel:p:reply', discardReplies: true, subscriberPath: ['spec', 'reply'] });
    expect(byKey.get('default/sequence:s:step-0')?.replyTo).toBeNull();
  });

  it('a Channel and an InMemoryChannel of one name are one channel: declaring both is refused', () => {
    const dir = tempDir();
    defer(() => dir.remove());
    const file = join(dir.path, 'm.yaml');
    writeFileSync(file, 'apiVersion: messaging.knative.dev/v1\nkind: Channel\nmetadata: { name: c }\n---\napiVersion: messaging.knative.dev/v1\nkind: InMemoryChannel\nmetadata: { name: c }\n');
    const loaded = loadManifests([file]);
    expect(loaded.problems.map((p) => p.message)).toEqual([`declares Channel default/c a second time (expected one declaration; the first is at ${file}:1:1)`]);
  });

  it('refs to flows that are not declared, and a Subscription on a channel that is not, are warned about at the ref', () => {
    const { warnings } = compiled(`${ONE_BROKER}
---
apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata: { name: t }
spec:
  broker: default
  subscriber: { ref: { apiVersion: flows.knative.dev/v1, kind: Sequence, name: missing } }
---
apiVersion: messaging.knative.dev/v1
kind: Subscription
metadata: { name: sub }
spec:
  channel: { apiVersion: messaging.knative.dev/v1, kind: Channel, name: nowhere }
  subscriber: { uri: http://x.example/ }
`);
    expect(warnings.map((w) => `${w.resource} ${w.field}: ${w.message}`)).toEqual([
      'Trigger/t spec.subscriber.ref: names Sequence default/missing, which is not declared in these manifests; events sent to it are dead-lettered until it is (expected a Sequence manifest of that name)',
      'Subscription/sub spec.channel.name: Channel default/nowhere is not declared in these manifests; the subscription stays idle until it is (expected a Channel or InMemoryChannel manifest of that name)',
    ]);
  });
});

describe('Functions in flows', () => {
  it('a Function as a Parallel filter (returning the event passes it, nothing drops it) and as its subscriber', async () => {
    const display = await startDisplay();
    defer(() => display.close());
    const fn = (name: string) => `---
apiVersion: switchyard.dev/v1alpha1
kind: Function
metadata: { name: ${name} }
spec: { handler: ./${name}.mjs }
`;
    const platform = await startTestPlatform(
      `${ONE_BROKER}
${fn('big-only')}${fn('tag')}---
apiVersion: flows.knative.dev/v1
kind: Parallel
metadata: { name: p }
spec:
  branches:
    - filter: { ref: { apiVersion: switchyard.dev/v1alpha1, kind: Function, name: big-only } }
      subscriber: { ref: { apiVersion: switchyard.dev/v1alpha1, kind: Function, name: tag } }
  reply: { uri: "${display.url}" }
`,
      {},
      {
        'big-only.mjs': 'export default (event) => (event.data.amount > 100 ? event : undefined);\n',
        'tag.mjs': "export default (event) => ({ ...event, type: 'com.example.big', data: { ...event.data, tagged: true } });\n",
      },
    );
    defer(() => platform.stop());
    for (const amount of [50, 500, 150, 5]) {
      const response = await fetch(`${platform.url}/flows/default/parallels/p`, {
        method: 'POST',
        headers: { 'ce-specversion': '1.0', 'ce-id': `a${amount}`, 'ce-source': '/t', 'ce-type': 'com.example.amount', 'content-type': 'application/json' },
        body: JSON.stringify({ amount }),
      });
      expect(response.status).toBe(202);
    }
    await waitFor(() => display.received.length >= 2, 'the two big amounts at the display');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(eventsAt(display).map((e) => `${e.type}:${e.data['amount']}:${e.data['tagged']}`).sort()).toEqual(['com.example.big:150:true', 'com.example.big:500:true']);
  });
});

describe('flows as destinations', () => {
  it("a WebhookSource's sink and a dead-letter sink may be Sequences", async () => {
    const upper = await startAppender(' via sequence', 'com.example.seen');
    defer(() => upper.close());
    const display = await startDisplay();
    defer(() => display.close());
    const failing = await startHttpSink((_request, response) => response.writeHead(400).end());
    defer(() => failing.close());
    const platform = await startTestPlatform(`${ONE_BROKER}
---
apiVersion: switchyard.dev/v1alpha1
kind: WebhookSource
metadata: { name: hook }
spec:
  event: { type: com.example.hook, source: /hook }
  sink: { ref: { apiVersion: flows.knative.dev/v1, kind: Sequence, name: s } }
---
apiVersion: flows.knative.dev/v1
kind: Sequence
metadata: { name: s }
spec:
  steps: [ { uri: "${upper.url}" } ]
  reply: { uri: "${display.url}" }
---
apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata: { name: broken }
spec:
  broker: default
  subscriber: { uri: "${failing.url}" }
  delivery:
    deadLetterSink: { ref: { apiVersion: flows.knative.dev/v1, kind: Sequence, name: s } }
`);
    defer(() => platform.stop());
    const hooked = await fetch(`${platform.url}/webhooks/default/hook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"message":"hook"}' });
    expect(hooked.status).toBe(202);
    const published = await fetch(`${platform.url}/default/default`, {
      method: 'POST',
      headers: { 'ce-specversion': '1.0', 'ce-id': 'dl-1', 'ce-source': '/t', 'ce-type': 'com.example.x', 'content-type': 'application/json' },
      body: '{"message":"dead"}',
    });
    expect(published.status).toBe(202);
    await waitFor(() => display.received.length >= 2, 'both at the display');
    expect(eventsAt(display).map((e) => e.data['message']).sort()).toEqual(['dead via sequence', 'hook via sequence']);
  });
});
