import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { tempDir } from '../support/temp-dir.ts';

const dir = tempDir();
afterAll(() => dir.remove());

const manifests = join(dir.path, 'triggers.yaml');
writeFileSync(
  manifests,
  `apiVersion: eventing.knative.dev/v1
kind: Broker
metadata: { name: default }
---
apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata: { name: orders }
spec:
  broker: default
  filters:
    - prefix: { type: com.example.order. }
    - exact: { region: eu }
  subscriber: { uri: http://localhost:9000 }
---
apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata: { name: big }
spec:
  broker: default
  filters:
    - cesql: "INT(amount) > 100 AND region = 'eu'"
  subscriber: { uri: http://localhost:9002 }
---
apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata: { name: everything }
spec:
  broker: default
  subscriber: { uri: http://localhost:9001 }
`,
);
const order = { specversion: '1.0', id: 'o-1', source: '/shop', type: 'com.example.order.created', region: 'eu', amount: '80' };
const refund = { specversion: '1.0', id: 'r-1', source: '/shop', type: 'com.example.refund', region: 'eu' };

describe('switchyard explain', () => {
  it('says per trigger whether an event matches, and which element failed', async () => {
    const file = join(dir.path, 'refund.json');
    writeFileSync(file, JSON.stringify(refund));
    const result = await runCli(['explain', '-f', manifests, '--event', file]);
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual([
      'event r-1 (com.example.refund)',
      '  default/orders      no match: spec.filters[0].prefix: type is "com.example.refund" (expected to start with "com.example.order.")',
      '  default/big         no match: spec.filters[0].cesql: "INT(amount) > 100 AND region = \'eu\'" failed with a missingAttribute error: the event has no attribute amount (at character 5; the value was false)',
      '  default/everything  matches: no filter: every event matches',
    ]);
  });

  it('reads JSON lines from stdin and prints JSON', async () => {
    const input = `${JSON.stringify(order)}\n${JSON.stringify({ ...order, id: 'o-2', region: 'us' })}\n`;
    const result = await runCli(['explain', '-f', manifests, '--event', '-', '--output', 'json'], { input });
    expect(result.code).toBe(0);
    const [first, second] = result.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(first).toEqual([
      { trigger: 'default/orders', broker: 'default/default', matched: true, reason: 'every filter element matches' },
      { trigger: 'default/big', broker: 'default/default', matched: false, reason: `spec.filters[0].cesql: "INT(amount) > 100 AND region = 'eu'" evaluated to false (expected true)` },
      { trigger: 'default/everything', broker: 'default/default', matched: true, reason: 'no filter: every event matches' },
    ]);
    expect(second[0]).toEqual({
      trigger: 'default/orders',
      broker: 'default/default',
      matched: false,
      reason: 'spec.filters[1].exact: region is "us" (expected exactly "eu")',
    });
  });

  it('refuses an event that is not a valid CloudEvent, naming the line', async () => {
    const result = await runCli(['explain', '-f', manifests, '--event', '-'], { input: `${JSON.stringify(order)}\n{"id":"x"}\n` });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('stdin:2 is not a valid CloudEvent: specversion is required');
  });
});
