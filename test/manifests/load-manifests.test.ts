import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatProblem } from '../../services/manifests/config-problem.ts';
import { loadManifests } from '../../services/manifests/load-manifests.ts';
import { compileConfig } from '../../services/manifests/runtime-config.ts';
import { tempDir } from '../support/temp-dir.ts';

let dir: ReturnType<typeof tempDir> | undefined;
afterEach(() => {
  dir?.remove();
  dir = undefined;
});

function load(yaml: string, name = 'manifests.yaml') {
  dir ??= tempDir();
  const file = join(dir.path, name);
  writeFileSync(file, yaml);
  return { file, result: loadManifests([file]) };
}

const MANY_MISTAKES = `apiVersion: eventing.knative.dev/v1
kind: Broker
metadata:
  name: Orders
spec:
  delivery:
    retry: -1
    backoffPolicy: quadratic
    backoffDelay: 2s
---
apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata:
  name: ship
spec:
  brokr: orders
  filter:
    attributes:
      Type: com.example
  filters:
    - exact:
        type: a
      prefix:
        source: b
  subscriber:
    uri: /relative
---
apiVersion: flows.knative.dev/v1
kind: Sequence
metadata:
  name: tick
spec:
  steps: []
`;

describe('configuration errors', () => {
  it('reports several mistakes in one file at once, each with its line and column, in the order they appear', () => {
    const { file, result } = load(MANY_MISTAKES);
    const lines = result.problems.map(formatProblem);
    expect(lines).toEqual([
      `${file}:4:9 Broker/Orders metadata.name: "Orders" is not a valid name (expected lower-case letters, digits, "-" and ".", starting and ending with a letter or digit)`,
      `${file}:7:12 Broker/Orders spec.delivery.retry: is -1 (expected at least 0)`,
      `${file}:8:20 Broker/Orders spec.delivery.backoffPolicy: is "quadratic" (expected one of: "linear", "exponential")`,
      `${file}:9:19 Broker/Orders spec.delivery.backoffDelay: is "2s" (expected an ISO-8601 duration of weeks, days, hours, minutes and seconds, like PT1S, PT0.5S or P7D)`,
      `${file}:15:1 Trigger/ship spec.broker: is missing (expected a string)`,
      `${file}:16:3 Trigger/ship spec.brokr: is not a known field (did you mean broker? expected one of: broker, filter, filters, subscriber, delivery)`,
      `${file}:19:7 Trigger/ship spec.filter.attributes.Type: attribute name "Type" is invalid (expected a lower-case letter followed by lower-case letters and digits)`,
      `${file}:21:7 Trigger/ship spec.filters[0]: sets exact and prefix: multiple dialects found, filters can have only one dialect set (expected one of exact, prefix, suffix, all, any, not, cesql per list element)`,
      `${file}:26:10 Trigger/ship spec.subscriber.uri: is the relative URI "/relative" without a ref (expected an absolute URL like http://host/path, or a ref to resolve it against)`,
      `${file}:33:10 Sequence/tick spec.steps: has too few items (expected at least 1)`,
    ]);
  });

  it('reports YAML syntax errors with their position', () => {
    const { file, result } = load('apiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata:\n  name: [unclosed\n');
    expect(result.problems[0]).toMatchObject({ file, line: 5, column: 1, field: '(yaml)', message: 'Flow sequence in block collection must be sufficiently indented and end with a ] (expected valid YAML)' });
  });

  it('reports a document without kind or apiVersion', () => {
    const { result } = load('metadata:\n  name: x\n');
    expect(result.problems.map((p) => p.field)).toEqual(['apiVersion', 'kind']);
  });

  it('refuses the same resource declared twice and says where the first is', () => {
    const broker = 'apiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata:\n  name: b\n';
    const { file, result } = load(`${broker}---\n${broker}`);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]?.message).toContain(`the first is at ${file}:1:1`);
  });

  it('Knative filter maps with several attributes: exact, prefix and suffix load with more than one attribute, as Knative admits them', () => {
    const { result } = load(`apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata: { name: t }
spec:
  broker: default
  filters:
    - exact: { type: a, source: b }
    - prefix: { type: a, source: b }
    - suffix: { type: a, source: b }
  subscriber: { uri: http://sink.example }
`);
    expect(result.problems).toEqual([]);
    expect(result.triggers[0]?.manifest.spec.filters?.[2]?.suffix).toEqual({ type: 'a', source: 'b' });
  });

  it('Knative filter maps with several attributes: all, any and not (and every other dialect) may be null, meaning no filter', () => {
    const { result } = load(`apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata: { name: t }
spec:
  broker: default
  filters:
    - all: null
    - any: null
    - not: null
    - exact: null
    - cesql: null
  subscriber: { uri: http://sink.example }
`);
    expect(result.problems).toEqual([]);
    expect(result.triggers).toHaveLength(1);
  });

  it('validates nested filters (all, any, not) and delivery of the dead-letter sink', () => {
    const { result } = load(`apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata: { name: t }
spec:
  broker: default
  filters:
    - all:
        - not:
            exact: { Bad: x }
    - any:
        - prefix: { type: 5 }
  subscriber: { uri: http://sink.example }
  delivery:
    deadLetterSink: {}
    timeout: PT0S
`);
    expect(result.problems.map((p) => p.field)).toEqual([
      'spec.filters[0].all[0].not.exact.Bad',
      'spec.filters[1].any[0].prefix.type',
      'spec.delivery.deadLetterSink',
      'spec.delivery.timeout',
    ]);
  });

  it('reads a folder of manifests, defaults the namespace and warns about triggers whose broker is not declared', () => {
    dir = tempDir();
    writeFileSync(join(dir.path, 'a-broker.yaml'), 'apiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata:\n  name: default\n');
    writeFileSync(
      join(dir.path, 'b-trigger.yml'),
      'apiVersion: eventing.knative.dev/v1\nkind: Trigger\nmetadata:\n  name: t\nspec:\n  broker: elsewhere\n  subscriber:\n    uri: http://sink.example\n',
    );
    writeFileSync(join(dir.path, 'notes.txt'), 'not a manifest');
    const result = loadManifests([dir.path]);
    expect(result.problems).toEqual([]);
    expect(result.brokers.map((b) => `${b.namespace}/${b.name}`)).toEqual(['default/default']);
    expect(result.warnings.map((w) => w.message)).toEqual([expect.stringContaining('broker default/elsewhere is not declared')]);
  });

  it('says so when a path does not exist or a folder has no manifests', () => {
    dir = tempDir();
    const result = loadManifests([join(dir.path, 'missing.yaml'), dir.path]);
    expect(result.problems.map((p) => p.message)).toEqual([
      expect.stringContaining('does not exist'),
      expect.stringContaining('without .yaml or .yml files'),
    ]);
  });

  it('compiles retention and in-flight annotations into the runtime configuration', () => {
    const { result } = load(`apiVersion: eventing.knative.dev/v1
kind: Broker
metadata:
  name: default
  annotations:
    switchyard.dev/retention-max-age: P7D
    switchyard.dev/retention-max-count: "1000000"
---
apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata:
  name: t
  annotations:
    switchyard.dev/max-in-flight: "25"
spec:
  broker: default
  subscriber: { uri: http://sink.example }
`);
    const config = compileConfig(result);
    expect(config.brokers.get('default/default')?.retention).toEqual({ maxAgeMs: 7 * 86_400_000, maxCount: 1_000_000 });
    expect(config.triggers[0]).toMatchObject({ key: 'default/t', broker: 'default/default', maxInFlight: 25 });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('refuses retention annotations that are not a duration or a count', () => {
    const { result } = load(`apiVersion: eventing.knative.dev/v1
kind: Broker
metadata:
  name: default
  annotations:
    switchyard.dev/retention-max-age: a week
    switchyard.dev/retention-max-count: lots
`);
    expect(result.problems.map((p) => `${p.line}:${p.column} ${p.field}`)).toEqual([
      '6:39 metadata.annotations["switchyard.dev/retention-max-age"]',
      '7:41 metadata.annotations["switchyard.dev/retention-max-count"]',
    ]);
  });
});

describe('warnings', () => {
  it('warns that an empty exact/prefix/suffix value matches every event, as in Knative', () => {
    const dir2 = tempDir();
    try {
      const file = join(dir2.path, 't.yaml');
      writeFileSync(file, 'apiVersion: eventing.knative.dev/v1\nkind: Trigger\nmetadata: { name: t }\nspec:\n  broker: default\n  filters:\n    - exact: { type: "" }\n  subscriber: { uri: http://sink.example }\n');
      const result = loadManifests([file]);
      expect(result.problems).toEqual([]);
      expect(result.warnings.map((w) => `${w.line}:${w.column} ${w.field}`)).toContain('7:22 spec.filters[0].exact.type');
    } finally {
      dir2.remove();
    }
  });

  it('points a CESQL syntax error at its line and column inside the expression, and refuses unknown functions', () => {
    const { file, result } = load(`apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata: { name: orders }
spec:
  broker: default
  filters:
    - cesql: "type = 'order' AND source LIKE"
    - any:
        - cesql: 'NOPE(id) OR EXISTS subject'
        - cesql: |
            type = 'multi
  subscriber: { uri: http://sink.example }
`);
    expect(result.triggers).toEqual([]);
    expect(result.problems.map((p) => `${p.line}:${p.column} ${p.field}: ${p.message}`)).toEqual([
      `7:45 spec.filters[0].cesql: parse error at character 31 of "type = 'order' AND source LIKE": LIKE needs a string literal as its pattern (§3.4.3), found the end of the expression (expected a CloudEvents SQL 1.0 expression)`,
      `9:19 spec.filters[1].any[0].cesql: missingFunction error at character 1 of "NOPE(id) OR EXISTS subject": there is no function NOPE taking 1 argument (expected one of the built-in functions: LENGTH, CONCAT, CONCAT_WS, LOWER, UPPER, TRIM, LEFT, RIGHT, SUBSTRING, ABS, INT, BOOL, STRING, IS_INT, IS_BOOL)`,
      `10:18 spec.filters[1].any[1].cesql: parse error at character 8 of "type = 'multi\\n": the string starting here is not closed (expected a closing ') (expected a CloudEvents SQL 1.0 expression)`,
    ]);
    expect(result.problems[0]?.file).toBe(file);
  });

  it('accepts a valid CESQL filter', () => {
    const { result } = load(`apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata: { name: orders }
spec:
  broker: default
  filters:
    - cesql: "type IN ('order.created', 'order.updated') AND NOT (source LIKE '%test%')"
  subscriber: { uri: http://sink.example }
`);
    expect(result.problems).toEqual([]);
    expect(result.triggers).toHaveLength(1);
  });
});
