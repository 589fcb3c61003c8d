/** `suffix: {attribute: value}` (knative/eventing pkg/eventfilter/subscriptionsapi/suffix_filter.go). */
import type { CloudEvent } from '../../cloudevents/cloud-event.ts';
import { attributeText, describeValue, type Filter, type FilterResult } from './filter.ts';

export class SuffixFilter implements Filter {
  constructor(
    readonly path: string,
    private readonly attribute: string,
    private readonly suffix: string,
  ) {}

  match(event: CloudEvent): FilterResult {
    const value = attributeText(event, this.attribute);
    return value !== undefined && value.endsWith(this.suffix) ? 'pass' : 'fail';
  }

  explainFailure(event: CloudEvent): string {
    return `${this.path}: ${this.attribute} is ${describeValue(attributeText(event, this.attribute))} (expected to end with ${JSON.stringify(this.suffix)})`;
  }
}
