/** The Switchyard annotations of a KafkaSource: checked at their field, compiled into its configuration. */
import { afterEach, describe, expect, it } from 'vitest';
import { loadManifests } from '../../services/manifests/load-manifests.ts';
import { compileConfig } from '../../services/manifests/runtime-config.ts';
import { tempDir } from '../support/temp-dir.ts';

let dir: ReturnType<typeof tempDir> | undefined;
afterEach(() => dir?.remove());

function load(annotations: string, ordering = '') {
  dir = tempDir();
  const file = dir.write(
    'kafka.yaml',
    `apiVersion: sources.knative.dev/v1
kind: KafkaSource
metadata:
  name: orders
  annotations: { ${annotations} }
spec:
  bootstrapServers: ["127.0.0.1:9092"]
  topics: [orders]${ordering}
  sink: { uri: "http://127.0.0.1:1/" }
`,
  );
  return loadManifests([file]);
}

describe('KafkaSource annotations', () => {
  it('switchyard.dev/max-backlog sets the backpressure bound (default 10,000); ordering sets the outbox trigger\'s key', () => {
    const config = compileConfig(load('switchyard.dev/max-backlog: "500"'));
    expect(config.kafkaSources[0]?.maxBacklog).toBe(500);
    expect(config.triggers.find((t) => t.key === 'default/kafkasource:orders')?.orderingKey).toBe('switchyardorderkey');
    const defaults = compileConfig(load('other: x', '\n  ordering: unordered'));
    expect(defaults.kafkaSources[0]?.maxBacklog).toBe(10_000);
    expect(defaults.triggers.find((t) => t.key === 'default/kafkasource:orders')?.orderingKey).toBeUndefined();
  });

  it('a max-backlog that is not a whole number above zero is refused at its field', () => {
    const result = load('switchyard.dev/max-backlog: "lots"');
    expect(result.problems.map((p) => `${p.line}:${p.column} ${p.field}: ${p.message}`)).toEqual([
      '5:46 metadata.annotations["switchyard.dev/max-backlog"]: is "lots" (expected a whole number of events greater than zero, quoted, like "10000")',
    ]);
  });
});
