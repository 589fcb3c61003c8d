/**
 * `validate` and `run` agree: everything run refuses, validate reports too, at the line and column
 * of the field, under the resource the user wrote. And the Knative tutorials' extra documents
 * (a Knative Service, a List) load as Knative users expect.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, startCli } from '../support/cli.ts';
import { tempDir } from '../support/temp-dir.ts';

const dir = tempDir();
afterAll(() => dir.remove());

let files = 0;
function manifest(text: string, extra: Record<string, string> = {}): string {
  const file = join(dir.path, `m${++files}.yaml`);
  writeFileSync(file, text);
  for (const [name, contents] of Object.entries(extra)) writeFileSync(join(dir.path, name), contents);
  return file;
}

const problemLines = (text: string, file: string) => text.split('\n').filter((line) => line.startsWith(`${file}:`));

/** validate's problems, and run's, for the same file: they must be the same lines. */
async function bothRefuse(file: string, env: Record<string, string> = {}): Promise<string[]> {
  const validated = await runCli(['validate', '-f', file], { env });
  const ran = await runCli(['run', '-f', file, '--port', '0', '--store', `sqlite:${join(dir.path, `run-${files}.db`)}`], { env });
  expect(validated.code, validated.stdout + validated.stderr).toBe(1);
  expect(ran.code, ran.stdout + ran.stderr).toBe(1);
  expect(ran.stdout).not.toContain('Switchyard is ready');
  expect(ran.stderr).toContain('error SWY_CONFIG_INVALID');
  const lines = problemLines(validated.stdout, file);
  expect(problemLines(ran.stderr, file)).toEqual(lines);
  return lines;
}

const BROKER = 'apiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata: { name: default }\n';

describe('validate and run agree', () => {
  it('a destination of a kind nothing delivers to is refused by both, at the ref, under the resource as written (no internal names)', async () => {
    const file = manifest(`${BROKER}---
apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata: { name: t }
spec:
  broker: default
  subscriber:
    ref: { apiVersion: switchyard.dev/v1alpha1, kind: WebhookSource, name: hook }
---
apiVersion: sources.knative.dev/v1
kind: PingSource
metadata: { name: me-ping-source }
spec:
  sink:
    ref: { apiVersion: flows.knative.dev/v1, kind: Branch, name: fan-out }
`);
    const lines = await bothRefuse(file);
    expect(lines).toEqual([
      `${file}:11:10 Trigger/t spec.subscriber.ref: names WebhookSource (switchyard.dev/v1alpha1), which is not a destination Switchyard delivers to yet (expected a uri, or a ref to a Broker, Channel, InMemoryChannel, Sequence, Parallel, Function, KafkaSink, or a service reached through the URL template or --service-url)`,
      `${file}:18:10 PingSource/me-ping-source spec.sink.ref: names Branch (flows.knative.dev/v1), which is not a destination Switchyard delivers to yet (expected a uri, or a ref to a Broker, Channel, InMemoryChannel, Sequence, Parallel, Function, KafkaSink, or a service reached through the URL template or --service-url)`,
    ]);
    expect(lines.join('\n')).not.toContain('pingsource:');
  });

  it('secrets that cannot be read (an unset variable, a missing file) are refused by both, at the field', async () => {
    const file = manifest(`apiVersion: switchyard.dev/v1alpha1
kind: WebhookSource
metadata: { name: gh }
spec:
  auth:
    github:
      secret: { env: SWT_UNSET_SECRET_VARIABLE }
  sink: { uri: http://127.0.0.1:9/ }
---
apiVersion: switchyard.dev/v1alpha1
kind: WebhookSource
metadata: { name: token }
spec:
  auth:
    bearer:
      token: { file: ./no-such.secret }
  sink: { uri: http://127.0.0.1:9/ }
`);
    expect(await bothRefuse(file)).toEqual([
      `${file}:7:22 WebhookSource/gh spec.auth.github.secret.env: environment variable SWT_UNSET_SECRET_VARIABLE is not set (expected the secret in it)`,
      expect.stringMatching(new RegExp(`^${file}:16:22 WebhookSource/token spec\\.auth\\.bearer\\.token\\.file: cannot read .*no-such\\.secret: ENOENT`)),
    ]);
  });

  it('a Function whose handler does not load is refused by both, at spec.handler', async () => {
    const file = manifest(
      `apiVersion: switchyard.dev/v1alpha1
kind: Function
metadata: { name: broken }
spec:
  handler: ./broken.js
`,
      { 'broken.js': 'export default function ( {\n' },
    );
    const lines = await bothRefuse(file);
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^${file}:5:12 Function/broken spec\\.handler: the handler .*broken\\.js cannot be loaded: `))]);
  });

  it('one schema error in a document does not hide another problem in it', async () => {
    const file = manifest(`${BROKER}---
apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata:
  name: t
  annotations: { switchyard.dev/max-in-flight: "many", switchyard.dev/ordering-key: Partition-Key }
spec:
  broker: default
  brokr: typo
  filters:
    - cesql: "type = "
  subscriber: { uri: 5 }
---
apiVersion: switchyard.dev/v1alpha1
kind: Function
metadata: { name: f }
spec:
  handler: ./missing.ts
  timeout: soon
`);
    const lines = await bothRefuse(file);
    expect(lines.map((line) => line.slice(file.length + 1))).toEqual([
      '9:48 Trigger/t metadata.annotations["switchyard.dev/max-in-flight"]: is "many" (expected a whole number greater than zero, quoted, like "100")',
      '9:85 Trigger/t metadata.annotations["switchyard.dev/ordering-key"]: is "Partition-Key" (expected the name of a CloudEvents attribute to order by, like "partitionkey" or "subject": a lower-case letter followed by lower-case letters and digits)',
      '12:3 Trigger/t spec.brokr: is not a known field (did you mean broker? expected one of: broker, filter, filters, subscriber, delivery)',
      '14:22 Trigger/t spec.filters[0].cesql: parse error at character 8 of "type = ": expected a value, an attribute, a function or "(", found the end of the expression (expected a CloudEvents SQL 1.0 expression)',
      '15:22 Trigger/t spec.subscriber.uri: is 5 (expected a string)',
      expect.stringMatching(/^21:12 Function\/f spec\.handler: names .*missing\.ts, which does not exist/),
      '22:12 Function/f spec.timeout: is "soon" (expected an ISO-8601 duration of weeks, days, hours, minutes and seconds, like PT1S, PT0.5S or P7D)',
    ]);
  });

  it('warnings are positioned at their field too, and the summary counts every kind', async () => {
    const file = manifest(`apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata: { name: t }
spec:
  broker: elsewhere
  subscriber: { uri: http://127.0.0.1:9/ }
---
apiVersion: switchyard.dev/v1alpha1
kind: WebhookSource
metadata: { name: open }
spec:
  sink:
    ref: { apiVersion: eventing.knative.dev/v1, kind: Broker, name: missing }
`);
    const result = await runCli(['validate', '-f', file]);
    expect(result.code).toBe(0);
    expect(result.stderr.trim().split('\n')).toEqual([
      `warning: ${file}:5:11 Trigger/t spec.broker: broker default/elsewhere is not declared in these manifests; the trigger stays idle until it is (expected a Broker named elsewhere in namespace default)`,
      `warning: ${file}:12:3 WebhookSource/open spec: has no auth: anyone who can reach the platform can post to it (expected spec.auth with one of github, stripe, standardWebhooks, hmac, bearer, basic)`,
      `warning: ${file}:13:10 WebhookSource/open spec.sink.ref: names Broker default/missing, which is not declared in these manifests; its events will be dead-lettered until it is (expected a Broker manifest of that name)`,
    ]);
    expect(result.stdout.trim()).toBe('valid: 1 file, 0 brokers, 1 trigger, 0 functions, 0 ping sources, 1 webhook source');
  });
});

describe('Knative tutorials', () => {
  const TUTORIAL = `apiVersion: serving.knative.dev/v1
kind: Service
metadata: { name: event-display }
spec:
  template:
    spec:
      containers:
        - image: gcr.io/knative-releases/knative.dev/eventing/cmd/event_display
---
${BROKER}---
apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata: { name: display }
spec:
  broker: default
  subscriber:
    ref: { apiVersion: serving.knative.dev/v1, kind: Service, name: event-display }
`;

  it('a serving.knative.dev Service document is skipped with a warning naming it, not refused', async () => {
    const file = manifest(TUTORIAL);
    const result = await runCli(['validate', '-f', file]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      `warning: ${file}:2:7 Service/event-display kind: Service/event-display (serving.knative.dev/v1) is skipped: a Knative Service is a container, and Switchyard runs no containers. Run it yourself and give the refs to it an address, like --service-url event-display=http://localhost:PORT`,
    );
    expect(result.stdout.trim()).toBe('valid: 1 file, 1 broker, 1 trigger, 0 functions, 0 ping sources, 0 webhook sources, 1 skipped (Service/event-display)');
  });

  it('a ref to a Service resolving through the default *.svc.cluster.local template is warned about at start, with the flag that fixes it', async () => {
    const file = manifest(TUTORIAL);
    const store = `sqlite:${join(dir.path, 'tutorial.db')}`;
    const warned = await startCli(['-f', file, '--store', store]);
    await warned.stop();
    expect(warned.output().stderr).toContain(
      `warning: ${file}:20:10 Trigger/display spec.subscriber.ref: Service default/event-display resolves to http://event-display.default.svc.cluster.local/, a Kubernetes cluster address that does not resolve outside a cluster (expected --service-url event-display=URL, or destinations.services in --config)`,
    );
    const fixed = await startCli(['-f', file, '--store', store, '--service-url', 'event-display=http://127.0.0.1:9000']);
    await fixed.stop();
    expect(fixed.output().stderr).not.toContain('svc.cluster.local');
  });

  it('kind: List documents are read as their items, problems positioned in the item', async () => {
    const file = manifest(`apiVersion: v1
kind: List
items:
  - apiVersion: eventing.knative.dev/v1
    kind: Broker
    metadata: { name: default }
  - apiVersion: eventing.knative.dev/v1
    kind: Trigger
    metadata: { name: t }
    spec:
      broker: default
      subscriber: { uri: http://127.0.0.1:9/ }
`);
    const valid = await runCli(['validate', '-f', file]);
    expect(valid.code, valid.stderr).toBe(0);
    expect(valid.stdout.trim()).toBe('valid: 1 file, 1 broker, 1 trigger, 0 functions, 0 ping sources, 0 webhook sources');
    const broken = manifest(`apiVersion: v1
kind: List
items:
  - apiVersion: eventing.knative.dev/v1
    kind: Trigger
    metadata: { name: t }
    spec:
      subscriber: { uri: http://127.0.0.1:9/ }
`);
    const refused = await runCli(['validate', '-f', broken]);
    expect(refused.stdout.trim()).toBe(`${broken}:7:5 Trigger/t spec.broker: is missing (expected a string)`);
  });
});
