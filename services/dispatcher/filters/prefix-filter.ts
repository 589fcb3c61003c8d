/** `prefix: {attribute: value}` (knative/eventing pkg/eventfilter/subscriptionsapi/prefix_filter.go). */
import type { CloudEvent } from '../../cloudevents/cloud-event.ts';
import { attributeText, describeValue, type Filter, type FilterResult } from './filter.ts';

export class PrefixFilter implements Filter {
  constructor(
    readonly path: string,
    private readonly attribute: string,
    private readonly prefix: string,
  ) {}

  match(event: CloudEvent): FilterResult {
    const value = attributeText(event, this.attribute);
    return value !== undefined && value.startsWith(this.prefix) ? 'pass' : 'fail';
  }

  explainFailure(event: CloudEvent): string {
    return `${this.path}: ${this.attribute} is ${describeValue(attributeText(event, this.attribute))} (expected to start with ${JSON.stringify(this.prefix)})`;
  }
}
