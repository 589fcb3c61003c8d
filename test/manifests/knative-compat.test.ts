/**
 * The Broker and Trigger manifests from the Knative documentation (../shared/compat/knative/) load
 * unchanged; the two that Knative's own validation refuses are refused for the same reason.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadManifests } from '../../services/manifests/load-manifests.ts';

const COMPAT = fileURLToPath(new URL('../../../shared/compat/knative/', import.meta.url));

const kindOf = (file: string) => /^kind:\s*(\S+)/m.exec(readFileSync(`${COMPAT}${file}`, 'utf8'))?.[1];
const files = readdirSync(COMPAT).filter((f) => f.endsWith('.yaml'));
const brokerAndTrigger = files.filter((f) => kindOf(f) === 'Broker' || kindOf(f) === 'Trigger');

/** Refused by knative/eventing itself (trigger_validation.go; the Trigger API type), so refused here. */
const REFUSED_BY_KNATIVE: Record<string, RegExp> = {
  'trigger-filters-exact-plus-suffix-same-item.yaml': /spec\.filters\[0\]: .*multiple dialects found, filters can have only one dialect set/,
  'trigger-filters-override-legacy-filter.yaml': /spec\.filters: is a map \(expected a list\)/,
};

/**
 * Valid for Knative, but CloudEvents SQL is its own piece of work (the CESQL issue); until it
 * lands the expression is refused with a message saying so rather than silently ignored.
 */
const WAITING_FOR_CESQL = new Set(['trigger-filters-cesql.yaml']);

describe('Knative manifests from the documentation', () => {
  it('finds the Broker and Trigger manifests', () => {
    expect(brokerAndTrigger.length).toBeGreaterThanOrEqual(16);
  });

  it.each(brokerAndTrigger.filter((f) => !(f in REFUSED_BY_KNATIVE) && !WAITING_FOR_CESQL.has(f)))('%s loads unchanged', (file) => {
    const result = loadManifests([`${COMPAT}${file}`]);
    expect(result.problems).toEqual([]);
    expect(result.brokers.length + result.triggers.length).toBe(1);
  });

  it.each(Object.entries(REFUSED_BY_KNATIVE))('%s is refused, as Knative refuses it', (file, reason) => {
    const result = loadManifests([`${COMPAT}${file}`]);
    expect(result.problems).toHaveLength(1);
    expect(`${result.problems[0]?.field}: ${result.problems[0]?.message}`).toMatch(reason);
  });

  it.each([...WAITING_FOR_CESQL])('%s is refused until CESQL lands, with a message that says so', (file) => {
    const result = loadManifests([`${COMPAT}${file}`]);
    expect(result.problems.map((p) => p.message)).toEqual([expect.stringMatching(/cesql filters are not supported yet/)]);
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

  it('kinds of later releases are refused naming the kinds supported today', () => {
    const others = files.filter((f) => !brokerAndTrigger.includes(f));
    for (const file of others) {
      const result = loadManifests([`${COMPAT}${file}`]);
      expect(result.problems.length, file).toBeGreaterThan(0);
      expect(result.problems[0]?.message, file).toMatch(/expected one of the supported kinds: Broker \(eventing.knative.dev\/v1\), Trigger/);
    }
  });
});
