/** `prefix: {attribute: value, …}` (knative/eventing pkg/eventfilter/subscriptionsapi/prefix_filter.go). */
import { AttributeMapFilter } from './attribute-map-filter.ts';

export class PrefixFilter extends AttributeMapFilter {
  protected passes(value: string, prefix: string): boolean {
    return value.startsWith(prefix);
  }

  protected expectation(prefix: string): string {
    return `to start with ${JSON.stringify(prefix)}`;
  }
}
