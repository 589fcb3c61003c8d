/**
 * The Broker, Trigger, PingSource, Sequence and Parallel manifests from the Knative documentation
 * (test/fixtures/knative/, copied from the Knative documentation) load unchanged; those that
 * Knative's own validation refuses are refused for the same reason. (That they run is
 * test/flows/knative-flows.test.ts.)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { TriggerManifest } from '../../schemas/trigger.schema.ts';
import { compileTriggerFilter } from '../../services/dispatcher/filters/compile-trigger-filter.ts';
import { loadManifests } from '../../services/manifests/load-manifests.ts';

const COMPAT = fileURLToPath(new URL('../fixtures/knative/', import.meta.url));

const kindOf = (file: string) => /^kind:\s*(\S+)/m.exec(readFileSync(`${COMPAT}${file}`, 'utf8'))?.[1];
const files = readdirSync(COMPAT).filter((f) => f.endsWith('.yaml'));
const brokerAndTrigger = files.filter((f) => kindOf(f) === 'Broker' || kindOf(f) === 'Trigger');

/** Refused by knative/eventing itself (trigger_validation.go; the Trigger API type), so refused here. */
const REFUSED_BY_KNATIVE: Record<string, RegExp> = {
  'trigger-filters-exact-plus-suffix-same-item.yaml': /spec\.filters\[0\]: .*multiple dialects found, filters can have only one dialect set/,
  'trigger-filters-override-legacy-filter.yaml': /spec\.filters: is a map \(expected a list\)/,
};

describe('Knative manifests from the documentation', () => {
  it('finds the Broker and Trigger manifests', () => {
    expect(brokerAndTrigger.length).toBeGreaterThanOrEqual(16);
  });

  it.each(brokerAndTrigger.filter((f) => !(f in REFUSED_BY_KNATIVE)))('%s loads unchanged', (file) => {
    const result = loadManifests([`${COMPAT}${file}`]);
    expect(result.problems).toEqual([]);
    expect(result.brokers.length + result.triggers.length).toBe(1);
  });

  it.each(Object.entries(REFUSED_BY_KNATIVE))('%s is refused, as Knative refuses it', (file, reason) => {
    const result = loadManifests([`${COMPAT}${file}`]);
    expect(result.problems).toHaveLength(1);
    expect(`${result.problems[0]?.field}: ${result.problems[0]?.message}`).toMatch(reason);
  });

  it('the CESQL trigger filters as Knative documents it', () => {
    const result = loadManifests([`${COMPAT}trigger-filters-cesql.yaml`]);
    const filter = compileTriggerFilter(result.triggers[0]?.manifest.spec as TriggerManifest['spec']);
    const event = (source: string, type: string) => ({ attributes: { specversion: '1.0', id: '1', source, type } });
    expect(filter.match(event('/ecommerce/shop', 'order.updated'))).toBe('pass');
    expect(filter.match(event('/ecommerce/shop', 'order.shipped'))).toBe('fail');
    expect(filter.match(event('/billing', 'order.created'))).toBe('fail');
  });

  it('the broker manifest keeps its delivery and the ref+relative-uri dead-letter sink', () => {
    const result = loadManifests([`${COMPAT}broker-class-config-and-delivery.yaml`]);
    expect(result.brokers[0]?.manifest.spec?.delivery).toEqual({
      deadLetterSink: { ref: { kind: 'Service', namespace: 'example-namespace', name: 'example-service', apiVersion: 'v1' }, uri: 'example-uri' },
      retry: 5,
      backoffPolicy: 'exponential',
      backoffDelay: 'PT1S',
    });
  });

  const pingSources = files.filter((f) => kindOf(f) === 'PingSource');

  it.each(pingSources.filter((f) => !f.includes('fragment')))('%s loads unchanged', (file) => {
    const result = loadManifests([`${COMPAT}${file}`]);
    expect(result.problems).toEqual([]);
    expect(result.pingSources).toHaveLength(1);
  });

  it('the ceOverrides fragment (schedule, data and sink elided in the documentation) is refused for its missing sink only', () => {
    const result = loadManifests([`${COMPAT}pingsource-ceoverrides-fragment.yaml`]);
    expect(result.problems.map((p) => `${p.field}: ${p.message}`)).toEqual(['spec.sink: is missing (expected a map)']);
  });

  const flows = files.filter((f) => kindOf(f) === 'Sequence' || kindOf(f) === 'Parallel');

  it('finds the Sequence and Parallel manifests', () => {
    expect(flows.length).toBeGreaterThanOrEqual(4);
  });

  it.each(flows)('%s loads unchanged', (file) => {
    const result = loadManifests([`${COMPAT}${file}`]);
    expect(result.problems).toEqual([]);
    expect(result.sequences.length + result.parallels.length).toBe(1);
  });

  const subscriptions = files.filter((f) => kindOf(f) === 'Subscription');

  // The documentation shows only their delivery; Knative's subscription_validation.go refuses a
  // Subscription without spec.channel ("missing field(s)"), and so does Switchyard.
  it.each(subscriptions)('%s (a delivery fragment without channel) is refused for the missing channel only, as Knative refuses it', (file) => {
    const result = loadManifests([`${COMPAT}${file}`]);
    expect(result.problems.map((p) => `${p.field}: ${p.message}`)).toEqual([
      'spec.channel: is missing (expected a map)',
    ]);
  });

  const kafkaSources = files.filter((f) => kindOf(f) === 'KafkaSource');
  /** The documentation's placeholders, refused for what each placeholder is not. */
  const PLACEHOLDERS: Record<string, string[]> = {
    'kafkasource-delivery-placeholders.yaml': [
      'spec.delivery.backoffDelay: is "<duration>" (expected an ISO-8601 duration of weeks, days, hours, minutes and seconds, like PT1S, PT0.5S or P7D)',
      'spec.delivery.backoffPolicy: is "<policy-type>" (expected one of: "linear", "exponential")',
      'spec.delivery.retry: is "<integer>" (expected a number)',
    ],
    'kafkasource-full-placeholders.yaml': [
      'spec.initialOffset: is "KAFKA_INITIAL_OFFSET" (expected one of: "earliest", "latest")',
      'spec.bootstrapServers[0]: "KAFKA_BOOTSTRAP_SERVERS" is not HOST:PORT (expected a bootstrap server like my-cluster-kafka-bootstrap.kafka:9092)',
      'spec.net.sasl.enable: is "KAFKA_SASL_ENABLE" (expected true or false)',
      'spec.net.tls.enable: is "KAFKA_TLS_ENABLE" (expected true or false)',
    ],
  };

  it.each(kafkaSources.filter((f) => !(f in PLACEHOLDERS)))('%s loads unchanged', (file) => {
    const result = loadManifests([`${COMPAT}${file}`]);
    expect(result.problems).toEqual([]);
    expect(result.kafkaSources).toHaveLength(1);
  });

  it.each(Object.entries(PLACEHOLDERS))('%s is refused for its placeholders only', (file, reasons) => {
    const result = loadManifests([`${COMPAT}${file}`]);
    expect(result.problems.map((p) => `${p.field}: ${p.message}`)).toEqual(reasons);
  });

  it('the rest (a Knative ConfigMap) is refused naming the kinds supported today', () => {
    const known = [...brokerAndTrigger, ...pingSources, ...flows, ...subscriptions, ...kafkaSources];
    const others = files.filter((f) => !known.includes(f));
    expect(others).toEqual(['config-br-defaults-delivery.yaml']);
    for (const file of others) {
      const result = loadManifests([`${COMPAT}${file}`]);
      expect(result.problems[0]?.message, file).toMatch(/is not a kind Switchyard knows \(expected one of the supported kinds: Broker \(eventing.knative.dev\/v1\), Trigger/);
    }
  });
});
