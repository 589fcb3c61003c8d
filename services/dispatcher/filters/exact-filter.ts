/** `exact: {attribute: value, …}` (knative/eventing pkg/eventfilter/subscriptionsapi/exact_filter.go). */
import { AttributeMapFilter } from './attribute-map-filter.ts';

export class ExactFilter extends AttributeMapFilter {
  get requiredType(): string | undefined {
    return this.entries.find(([name]) => name === 'type')?.[1];
  }

  protected passes(value: string, expected: string): boolean {
    return value === expected;
  }

  protected expectation(expected: string): string {
    return `exactly ${JSON.stringify(expected)}`;
  }
}
