/** Trigger filters, Knative's semantics case by case (knative/eventing pkg/eventfilter). */
import { describe, expect, it } from 'vitest';
import type { TriggerManifest } from '../../schemas/trigger.schema.ts';
import type { CloudEvent } from '../../services/cloudevents/cloud-event.ts';
import { accepts, compileTriggerFilter } from '../../services/dispatcher/filters/compile-trigger-filter.ts';
import { and, or, type FilterResult } from '../../services/dispatcher/filters/filter.ts';

const event: CloudEvent = {
  attributes: { specversion: '1.0', id: '1', source: 'https://github.com/cloudevents/spec', type: 'com.github.push', subject: 'main', priority: 5, flag: true },
};

type Spec = Pick<TriggerManifest['spec'], 'filter' | 'filters'>;
const spec = (s: Spec) => ({ broker: 'default', subscriber: { uri: 'http://sink' }, ...s }) as TriggerManifest['spec'];
const matches = (s: Spec, e: CloudEvent = event) => accepts(compileTriggerFilter(spec(s)), e);
const explain = (s: Spec, e: CloudEvent = event) => compileTriggerFilter(spec(s)).explainFailure(e);

describe('the pass/fail/none algebra (pkg/eventfilter/filter.go)', () => {
  const results: FilterResult[] = ['pass', 'fail', 'none'];
  it('none is the identity of AND and OR', () => {
    for (const x of results) {
      expect(and('none', x)).toBe(x);
      expect(or(x, 'none')).toBe(x);
    }
  });
  it('AND fails on any fail, OR passes on any pass', () => {
    expect(and('pass', 'fail')).toBe('fail');
    expect(and('pass', 'pass')).toBe('pass');
    expect(or('fail', 'pass')).toBe('pass');
    expect(or('fail', 'fail')).toBe('fail');
  });
});

describe('legacy filter.attributes', () => {
  it('no filter matches every event', () => {
    expect(matches({})).toBe(true);
    expect(matches({ filter: { attributes: {} } })).toBe(true);
  });
  it('exact, case-sensitive string equality on every listed attribute', () => {
    expect(matches({ filter: { attributes: { type: 'com.github.push', subject: 'main' } } })).toBe(true);
    expect(matches({ filter: { attributes: { type: 'com.github.Push' } } })).toBe(false);
    expect(matches({ filter: { attributes: { type: 'com.github.push', subject: 'dev' } } })).toBe(false);
  });
  it('"" means present with any value (the gotcha)', () => {
    expect(matches({ filter: { attributes: { subject: '' } } })).toBe(true);
    expect(matches({ filter: { attributes: { missing: '' } } })).toBe(false);
  });
  it('a missing attribute fails', () => {
    expect(matches({ filter: { attributes: { region: 'eu' } } })).toBe(false);
    expect(explain({ filter: { attributes: { region: 'eu' } } })).toBe('spec.filter.attributes.region: region is missing (expected "eu")');
  });
  it('a non-string extension never equals a string value, as in the MT broker', () => {
    expect(matches({ filter: { attributes: { priority: '5' } } })).toBe(false);
    expect(explain({ filter: { attributes: { priority: '5' } } })).toContain('the number 5');
  });
});

describe('filters (Subscriptions API dialects)', () => {
  it('exact compares the string form of the attribute', () => {
    expect(matches({ filters: [{ exact: { type: 'com.github.push' } }] })).toBe(true);
    expect(matches({ filters: [{ exact: { priority: '5' } }] })).toBe(true);
    expect(matches({ filters: [{ exact: { flag: 'true' } }] })).toBe(true);
    expect(matches({ filters: [{ exact: { type: 'com.github' } }] })).toBe(false);
    expect(matches({ filters: [{ exact: { region: 'eu' } }] })).toBe(false);
  });
  it('prefix and suffix', () => {
    expect(matches({ filters: [{ prefix: { type: 'com.github.' } }] })).toBe(true);
    expect(matches({ filters: [{ prefix: { type: 'org.' } }] })).toBe(false);
    expect(matches({ filters: [{ suffix: { type: '.push' } }] })).toBe(true);
    expect(matches({ filters: [{ suffix: { type: '.created' } }] })).toBe(false);
    expect(matches({ filters: [{ suffix: { region: 'eu' } }] })).toBe(false);
  });
  it('the list is an AND', () => {
    expect(matches({ filters: [{ prefix: { type: 'com.' } }, { exact: { subject: 'main' } }] })).toBe(true);
    expect(matches({ filters: [{ prefix: { type: 'com.' } }, { exact: { subject: 'dev' } }] })).toBe(false);
  });
  it('all, any and not', () => {
    expect(matches({ filters: [{ all: [{ exact: { type: 'com.github.push' } }, { exact: { subject: 'main' } }] }] })).toBe(true);
    expect(matches({ filters: [{ all: [{ exact: { type: 'com.github.push' } }, { exact: { subject: 'dev' } }] }] })).toBe(false);
    expect(matches({ filters: [{ any: [{ exact: { type: 'x' } }, { exact: { subject: 'main' } }] }] })).toBe(true);
    expect(matches({ filters: [{ any: [{ exact: { type: 'x' } }, { exact: { subject: 'y' } }] }] })).toBe(false);
    expect(matches({ filters: [{ not: { exact: { type: 'com.github.push' } } }] })).toBe(false);
    expect(matches({ filters: [{ not: { exact: { type: 'x' } } }] })).toBe(true);
  });
  it('Knative filter maps with several attributes: every attribute of an exact, prefix or suffix map must match (TestMultipleExactMatchFilters)', () => {
    const withExtension: CloudEvent = { ...event, attributes: { ...event.attributes, myext: 'value' } };
    expect(matches({ filters: [{ exact: { type: 'some-other-type', source: 'some-other-source' } }] })).toBe(false);
    expect(matches({ filters: [{ exact: { type: 'com.github.push', source: 'some-other-source' } }] })).toBe(false);
    expect(matches({ filters: [{ exact: { type: 'com.github.push', source: 'https://github.com/cloudevents/spec' } }] })).toBe(true);
    expect(matches({ filters: [{ exact: { type: 'com.github.push', myext: 'value' } }] })).toBe(false);
    expect(matches({ filters: [{ exact: { type: 'com.github.push', myext: 'value' } }] }, withExtension)).toBe(true);
    expect(matches({ filters: [{ prefix: { type: 'com.github.', source: 'https://' } }] })).toBe(true);
    expect(matches({ filters: [{ prefix: { type: 'com.github.', source: 'http://' } }] })).toBe(false);
    expect(matches({ filters: [{ suffix: { type: '.push', source: '/spec' } }] })).toBe(true);
    expect(matches({ filters: [{ suffix: { type: '.push', subject: 'dev' } }] })).toBe(false);
    expect(explain({ filters: [{ suffix: { type: '.push', subject: 'dev' } }] })).toBe('spec.filters[0].suffix: subject is "main" (expected to end with "dev")');
  });
  it('Knative filter maps with several attributes: a map with one empty value is skipped whole, as NewExactFilter refuses it', () => {
    expect(matches({ filters: [{ exact: { type: 'other', subject: '' } }] })).toBe(true);
  });
  it('Knative filter maps with several attributes: all, any and not set to null mean no filter, so they pass', () => {
    expect(matches({ filters: [{ all: null }, { any: null }, { not: null }] })).toBe(true);
    expect(compileTriggerFilter(spec({ filters: [{ not: null }] })).match(event)).toBe('none');
  });
  it('not of "no filter" stays "no filter", so it passes', () => {
    expect(matches({ filters: [{ not: {} }] })).toBe(true);
  });
  it('an empty value cannot be built and is skipped: it matches every event (the gotcha)', () => {
    expect(matches({ filters: [{ exact: { type: '' } }] })).toBe(true);
    expect(matches({ filters: [{ not: { exact: { type: '' } } }] })).toBe(true);
  });
  it('filters wins over filter when both are set', () => {
    expect(matches({ filters: [{ exact: { type: 'com.github.push' } }], filter: { attributes: { type: 'other' } } })).toBe(true);
    expect(matches({ filters: [{ exact: { type: 'other' } }], filter: { attributes: { type: 'com.github.push' } } })).toBe(false);
  });
  it('an empty filters list falls back to filter', () => {
    expect(matches({ filters: [], filter: { attributes: { type: 'other' } } })).toBe(false);
  });
  it('never looks at data', () => {
    const withData: CloudEvent = { ...event, data: Buffer.from('{"type":"x"}') };
    expect(matches({ filters: [{ exact: { type: 'com.github.push' } }] }, withData)).toBe(true);
  });
});

describe('explaining a failure names the element and what was expected', () => {
  it.each([
    [{ filters: [{ exact: { type: 'a' } }] }, 'spec.filters[0].exact: type is "com.github.push" (expected exactly "a")'],
    [{ filters: [{ prefix: { type: 'org.' } }] }, 'spec.filters[0].prefix: type is "com.github.push" (expected to start with "org.")'],
    [{ filters: [{ prefix: { type: 'com.' } }, { suffix: { source: '.git' } }] }, 'spec.filters[1].suffix: source is "https://github.com/cloudevents/spec" (expected to end with ".git")'],
    [{ filters: [{ all: [{ exact: { subject: 'main' } }, { exact: { region: 'eu' } }] }] }, 'spec.filters[0].all[1].exact: region is missing (expected exactly "eu")'],
    [{ filters: [{ not: { prefix: { type: 'com.' } } }] }, 'spec.filters[0].not: the event matches spec.filters[0].not.prefix, which this filter negates'],
    [
      { filters: [{ any: [{ exact: { type: 'a' } }, { exact: { type: 'b' } }] }] },
      'spec.filters[0].any: none of its filters matched (spec.filters[0].any[0].exact: type is "com.github.push" (expected exactly "a"); spec.filters[0].any[1].exact: type is "com.github.push" (expected exactly "b"))',
    ],
  ] as Array<[Spec, string]>)('%j', (s, reason) => {
    expect(matches(s)).toBe(false);
    expect(explain(s)).toBe(reason);
  });
});

describe('the type a filter requires (lets the log skip other types for the trigger)', () => {
  const required = (s: Spec) => compileTriggerFilter(spec(s)).requiredType;
  it('exact on type, at the top of filters or inside all, or the legacy type attribute', () => {
    expect(required({ filters: [{ exact: { type: 'com.github.push' } }] })).toBe('com.github.push');
    expect(required({ filters: [{ prefix: { source: 'https' } }, { all: [{ exact: { type: 'a.b' } }] }] })).toBe('a.b');
    expect(required({ filter: { attributes: { source: 'x', type: 'a.b' } } })).toBe('a.b');
    expect(required({ filters: [{ exact: { source: 'x', type: 'a.b' } }] })).toBe('a.b');
  });
  it('nothing when another event type could pass', () => {
    expect(required({ filters: [{ any: [{ exact: { type: 'a' } }, { exact: { type: 'b' } }] }] })).toBeUndefined();
    expect(required({ filters: [{ not: { exact: { type: 'a' } } }] })).toBeUndefined();
    expect(required({ filters: [{ prefix: { type: 'a' } }] })).toBeUndefined();
    expect(required({ filters: [{ exact: { type: '' } }] })).toBeUndefined();
    expect(required({ filter: { attributes: { type: '' } } })).toBeUndefined();
    expect(required({})).toBeUndefined();
  });
});
