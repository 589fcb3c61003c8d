/**
 * What `exact`, `prefix` and `suffix` share: a map of attributes, every one of which must be
 * present and pass the dialect's test on its string form (knative/eventing
 * pkg/eventfilter/subscriptionsapi/{exact,prefix,suffix}_filter.go loop over the whole map).
 */
import type { CloudEvent } from '../../cloudevents/cloud-event.ts';
import { attributeText, describeValue, type Filter, type FilterResult } from './filter.ts';

export abstract class AttributeMapFilter implements Filter {
  protected readonly entries: ReadonlyArray<readonly [string, string]>;

  constructor(
    readonly path: string,
    attributes: Readonly<Record<string, string>>,
  ) {
    this.entries = Object.entries(attributes);
  }

  /** Whether the attribute's string form passes for the value written in the filter. */
  protected abstract passes(value: string, expected: string): boolean;

  /** What was expected, for explanations: `exactly "x"`, `to start with "x"`. */
  protected abstract expectation(expected: string): string;

  match(event: CloudEvent): FilterResult {
    for (const [name, expected] of this.entries) {
      const value = attributeText(event, name);
      if (value === undefined || !this.passes(value, expected)) return 'fail';
    }
    return 'pass';
  }

  explainFailure(event: CloudEvent): string {
    for (const [name, expected] of this.entries) {
      const value = attributeText(event, name);
      if (value === undefined || !this.passes(value, expected)) return `${this.path}: ${name} is ${describeValue(value)} (expected ${this.expectation(expected)})`;
    }
    return `${this.path}: failed`;
  }
}
