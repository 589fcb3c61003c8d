/** Function sinks: handlers hosted in worker threads, end to end through a real platform. */
import { afterEach, describe, expect, it } from 'vitest';
import { SwitchyardError } from '../../services/errors.ts';
import { type HttpSink, startHttpSink } from '../support/http-sink.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait-for.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

function manifests(handler: string, sinkUrl: string, spec = '', delivery = 'retry: 2, backoffDelay: PT0.01S'): string {
  return `apiVersion: eventing.knative.dev/v1
kind: Broker
metadata: { name: default }
spec:
  delivery: { ${delivery} }
---
apiVersion: switchyard.dev/v1alpha1
kind: Function
metadata: { name: fn }
spec:
  handler: ./${handler}
${spec}
---
apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata: { name: to-function }
spec:
  broker: default
  filter: { attributes: { type: com.example.in } }
  subscriber:
    ref: { apiVersion: switchyard.dev/v1alpha1, kind: Function, name: fn }
---
apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata: { name: replies }
spec:
  broker: default
  filter: { attributes: { type: com.example.out } }
  subscriber: { uri: "${sinkUrl}" }
`;
}

async function setup(handler: string, code: string, spec = ''): Promise<{ platform: TestPlatform; sink: HttpSink }> {
  const sink = await startHttpSink();
  cleanups.push(() => sink.close());
  const platform = await startTestPlatform(manifests(handler, sink.url, spec), {}, { [handler]: code });
  cleanups.push(() => platform.stop());
  return { platform, sink };
}

async function publish(platform: TestPlatform, id: string): Promise<void> {
  const response = await fetch(`${platform.url}/default/default`, {
    method: 'POST',
    headers: { 'ce-specversion': '1.0', 'ce-id': id, 'ce-source': '/test', 'ce-type': 'com.example.in', 'content-type': 'application/json' },
    body: JSON.stringify({ n: 21 }),
  });
  expect(response.status).toBe(202);
}

describe('Function sinks', () => {
  it('a TypeScript handler receives the event and a context; its returned event is a reply', async () => {
    const { platform, sink } = await setup(
      'double.ts',
      `export default async function (event: { id: string; data: { n: number } }, context: { logger: { info(o: object, m: string): void } }) {
  context.logger.info({ id: event.id }, 'doubling');
  return { type: 'com.example.out', data: { n: event.data.n * 2, greeting: process.env.GREETING, from: event.id } };
}
`,
      '  env: { GREETING: hello }',
    );
    await publish(platform, 'f-1');
    const reply = await waitFor(() => sink.received[0], 'the reply');
    expect(reply.headers['ce-type']).toBe('com.example.out');
    expect(reply.headers['ce-source']).toBe('/switchyard/functions/default/fn');
    expect(reply.headers['content-type']).toBe('application/json');
    expect(JSON.parse(reply.body.toString())).toEqual({ n: 42, greeting: 'hello', from: 'f-1' });
  });

  it('a JavaScript handler that returns nothing is a success without a reply', async () => {
    const { platform } = await setup('quiet.mjs', 'export default function () {}\n');
    await publish(platform, 'q-1');
    await waitFor(async () => (await platform.log.list('default/default')).length === 1, 'the event stored');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await platform.log.list('default/default')).toHaveLength(1);
    expect(await platform.deliveryStore.listDeadLetters({})).toEqual([]);
  });

  it('a thrown error is a retryable failure', async () => {
    const { platform, sink } = await setup(
      'flaky.js',
      `let calls = 0;
export default function (event) {
  calls += 1;
  if (calls < 3) throw new Error('not yet (' + calls + ')');
  return { type: 'com.example.out', data: { calls } };
}
`,
    );
    await publish(platform, 'x-1');
    const reply = await waitFor(() => sink.received[0], 'the reply after two failures');
    expect(JSON.parse(reply.body.toString())).toEqual({ calls: 3 });
  });

  it('a handler that throws every time ends in the dead-letter store with its error', async () => {
    const { platform } = await setup('broken.js', "export default function () { throw new TypeError('bad input'); }\n");
    await publish(platform, 'b-1');
    const dead = await waitFor(async () => (await platform.deliveryStore.listDeadLetters({}))[0], 'the dead letter');
    expect(dead.attempts.map((a) => a.error)).toEqual(Array(3).fill('the function threw TypeError: bad input'));
    expect(dead.event.attributes['knativeerrordest']).toBe('function://default/fn');
  });

  it('a timeout is a failure; the stuck worker is replaced and later events still run', async () => {
    const { platform, sink } = await setup(
      'slow.js',
      `export default async function (event) {
  if (event.id === 'stuck') await new Promise(() => {});
  return { type: 'com.example.out', data: { id: event.id } };
}
`,
      '  timeout: PT0.2S',
    );
    await publish(platform, 'stuck');
    const dead = await waitFor(async () => (await platform.deliveryStore.listDeadLetters({}))[0], 'the dead letter', 10_000);
    expect(dead.reason).toContain('did not return within its 200 ms timeout');
    await publish(platform, 'after');
    const reply = await waitFor(() => sink.received[0], 'a later reply');
    expect(JSON.parse(reply.body.toString())).toEqual({ id: 'after' });
  });

  it('a returned object without a type is a failure that says so', async () => {
    const { platform } = await setup('typeless.js', 'export default () => ({ data: 1 });\n');
    await publish(platform, 't-1');
    const dead = await waitFor(async () => (await platform.deliveryStore.listDeadLetters({}))[0], 'the dead letter');
    expect(dead.attempts[0]?.error).toBe('the function returned an object without a type (expected an event-like object with a type, or nothing)');
  });

  it.each([
    ['a syntax error', 'syntax.js', 'export default function ( {\n', /cannot be loaded/],
    ['no default export', 'named.js', 'export function handler() {}\n', /has no default export function/],
  ])('a handler with %s is a configuration error naming the file', async (_name, file, code, message) => {
    const sink = await startHttpSink();
    cleanups.push(() => sink.close());
    const failure = await startTestPlatform(manifests(file, sink.url), {}, { [file]: code }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(SwitchyardError);
    expect((failure as SwitchyardError).code).toBe('SWY_CONFIG_INVALID');
    expect((failure as SwitchyardError).message).toMatch(new RegExp(`Function/fn spec.handler: .*${file}`));
    expect((failure as SwitchyardError).message).toMatch(message);
  });
});
