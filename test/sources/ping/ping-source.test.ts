/**
 * PingSource end to end on the embedded store: a real platform, per-second schedules, real HTTP
 * sinks. What Knative emits (type, source, a UUID id, the data, the overrides), delivery with
 * retries and dead letters, the last fire kept across a restart, and catching up when asked.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblem } from '../../../services/manifests/config-problem.ts';
import { loadManifests } from '../../../services/manifests/load-manifests.ts';
import { type HttpSink, startHttpSink } from '../../support/http-sink.ts';
import { ONE_BROKER, startTestPlatform, type TestPlatform } from '../../support/platform.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { waitFor } from '../../support/wait-for.ts';
import { deferredCleanups } from '../../support/cleanups.ts';

const defer = deferredCleanups();

async function sink(responder?: Parameters<typeof startHttpSink>[0]): Promise<HttpSink> {
  const s = await startHttpSink(responder);
  defer(() => s.close());
  return s;
}

function ping(name: string, sinkYaml: string, extra = '', annotations = ''): string {
  return `---
apiVersion: sources.knative.dev/v1
kind: PingSource
metadata:
  name: ${name}${annotations === '' ? '' : `\n  annotations: { ${annotations} }`}
spec:
  schedule: "* * * * * *"
  contentType: application/json
  data: '{"message": "Hello world!"}'
  sink:
${sinkYaml}
${extra}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('PingSource manifests', () => {
  it('refuses what Knative refuses, every problem with its line and column', () => {
    const dir = tempDir();
    defer(() => dir.remove());
    const file = join(dir.path, 'p.yaml');
    writeFileSync(
      file,
      `apiVersion: sources.knative.dev/v1
kind: PingSource
metadata: { name: both }
spec:
  data: "x"
  dataBase64: "eA=="
  sink: { uri: "http://localhost:1" }
---
apiVersion: sources.knative.dev/v1
kind: PingSource
metadata: { name: not-an-object }
spec:
  contentType: application/json
  data: '[1, 2]'
  sink: { uri: "http://localhost:1" }
---
apiVersion: sources.knative.dev/v1
kind: PingSource
metadata: { name: zone }
spec:
  schedule: "@every 1m"
  timezone: Mars/Olympus
  sink: { uri: "http://localhost:1" }
---
apiVersion: sources.knative.dev/v1
kind: PingSource
metadata: { name: overrides }
spec:
  ceOverrides: { extensions: { Bad-Name: x } }
  sink: { uri: "http://localhost:1" }
---
apiVersion: sources.knative.dev/v1
kind: PingSource
metadata:
  name: catch-up
  annotations: { switchyard.dev/catch-up: "1h" }
spec:
  sink: { uri: "http://localhost:1" }
`,
    );
    expect(loadManifests([file]).problems.map(formatProblem)).toEqual([
      `${file}:6:15 PingSource/both spec.dataBase64: is set next to data (expected one of data and dataBase64, not both)`,
      `${file}:14:9 PingSource/not-an-object spec.data: is not a JSON object (expected one, since contentType is application/json)`,
      `${file}:22:13 PingSource/zone spec.timezone: "Mars/Olympus" is not a time zone (expected an IANA name like Europe/Berlin or UTC)`,
      `${file}:29:32 PingSource/overrides spec.ceOverrides.extensions["Bad-Name"]: is not a CloudEvents attribute name (expected lower-case letters and digits, starting with a letter)`,
      `${file}:36:43 PingSource/catch-up metadata.annotations["switchyard.dev/catch-up"]: is "1h" (expected an ISO-8601 duration, like PT1H)`,
    ]);
  });
});

describe('PingSource on the embedded store', () => {
  async function platform(manifests: string, store?: string): Promise<TestPlatform> {
    const p = await startTestPlatform(manifests, store === undefined ? {} : { store });
    defer(() => p.stop());
    return p;
  }

  it('each tick sends the event Knative would: type, source, a fresh UUID, the tick time, the data and the overrides', async () => {
    const s = await sink();
    await platform(ping('test-ping-source', `    uri: "${s.url}/ping"`, '  ceOverrides: { extensions: { extra: "this is an extra attribute", additional: 42 } }'));
    await waitFor(() => s.received.length >= 2, 'two ticks', 5000);
    const [first, second] = s.received;
    expect(first?.url).toBe('/ping');
    expect(first?.headers).toMatchObject({
      'ce-specversion': '1.0',
      'ce-type': 'dev.knative.sources.ping',
      'ce-source': '/apis/v1/namespaces/default/pingsources/test-ping-source',
      'content-type': 'application/json',
      // Header values are percent-encoded (CloudEvents HTTP binding §3.1.3.2): a space is %20.
      'ce-extra': 'this%20is%20an%20extra%20attribute',
      'ce-additional': '42',
    });
    expect(JSON.parse(first?.body.toString() ?? '')).toEqual({ message: 'Hello world!' });
    expect(String(first?.headers['ce-id'])).toMatch(UUID);
    expect(first?.headers['ce-id']).not.toBe(second?.headers['ce-id']);
    // The time is the tick's: a whole second, one second apart.
    const times = [first, second].map((r) => Date.parse(String(r?.headers['ce-time'])));
    expect((times[0] ?? 1) % 1000).toBe(0);
    expect((times[1] ?? 0) - (times[0] ?? 0)).toBe(1000);
    expect(first?.headers['ce-knativebrokerttl']).toBeUndefined();
  });

  it('to a Broker: the tick is published there and its triggers deliver it', async () => {
    const s = await sink();
    const p = await platform(
      `${ONE_BROKER}---
apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata: { name: pings }
spec:
  broker: default
  filter: { attributes: { type: dev.knative.sources.ping } }
  subscriber: { uri: "${s.url}" }
${ping('to-broker', '    ref: { apiVersion: eventing.knative.dev/v1, kind: Broker, name: default }')}`,
    );
    await waitFor(() => s.received.length >= 1, 'the tick through the broker', 5000);
    const stored = await p.log.list('default/default');
    expect(stored[0]?.event.attributes).toMatchObject({ type: 'dev.knative.sources.ping', source: '/apis/v1/namespaces/default/pingsources/to-broker' });
    expect(stored[0]?.event.attributes['knativearrivaltime']).toBeDefined();
  });

  it('a sink that keeps failing: the tick is retried, then dead-lettered under the source, never dropped', async () => {
    const s = await sink((_request, res) => res.writeHead(503).end());
    const p = await platform(ping('failing', `    uri: "${s.url}"`));
    const dead = await waitFor(async () => (await p.deliveryStore.listDeadLetters({}))[0], 'the dead letter', 10_000);
    expect(dead.trigger).toBe('default/pingsource:failing');
    expect(dead.attempts).toHaveLength(6); // Knative's policy: 5 retries
    expect(dead.reason).toMatch(/retries exhausted: 6 attempts failed/);
    expect(dead.event.attributes['type']).toBe('dev.knative.sources.ping');
  });

  it('the last fire survives a restart: ticks missed while stopped are not replayed by default, and are with switchyard.dev/catch-up', async () => {
    for (const catchUp of [false, true]) {
      const s = await sink();
      const dir = tempDir();
      defer(() => dir.remove());
      const store = `sqlite:${join(dir.path, 'store.db')}`;
      const manifests = ping('restart', `    uri: "${s.url}"`, '', catchUp ? 'switchyard.dev/catch-up: PT1H' : '');
      const first = await startTestPlatform(manifests, { store });
      await waitFor(() => s.received.length >= 1, 'a first tick', 5000);
      await first.close();
      const stoppedAfter = Math.max(...s.received.map((r) => Date.parse(String(r.headers['ce-time']))));
      await new Promise((resolve) => setTimeout(resolve, 2500));
      const restartedAt = Date.now();
      const second = await startTestPlatform(manifests, { store });
      defer(() => second.stop());
      await waitFor(() => s.received.some((r) => Date.parse(String(r.headers['ce-time'])) > restartedAt), 'a tick after the restart', 5000);
      const missed = s.received.map((r) => Date.parse(String(r.headers['ce-time']))).filter((t) => t > stoppedAfter + 500 && t < restartedAt - 500);
      if (catchUp) expect(missed.length, 'ticks of the stop, replayed').toBeGreaterThanOrEqual(2);
      else expect(missed, 'no tick of the stop replayed').toEqual([]);
      await second.stop();
      await first.stop();
    }
  });
});
