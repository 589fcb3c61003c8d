/** `suffix: {attribute: value, …}` (knative/eventing pkg/eventfilter/subscriptionsapi/suffix_filter.go). */
import { AttributeMapFilter } from './attribute-map-filter.ts';

export class SuffixFilter extends AttributeMapFilter {
  protected passes(value: string, suffix: string): boolean {
    return value.endsWith(suffix);
  }

  protected expectation(suffix: string): string {
    return `to end with ${JSON.stringify(suffix)}`;
  }
}
