/** `exact: {attribute: value}` (knative/eventing pkg/eventfilter/subscriptionsapi/exact_filter.go). */
import type { CloudEvent } from '../../cloudevents/cloud-event.ts';
import { attributeText, describeValue, type Filter, type FilterResult } from './filter.ts';

export class ExactFilter implements Filter {
  constructor(
    readonly path: string,
    private readonly attribute: string,
    private readonly value: string,
  ) {}

  get requiredType(): string | undefined {
    return this.attribute === 'type' ? this.value : undefined;
  }

  match(event: CloudEvent): FilterResult {
    return attributeText(event, this.attribute) === this.value ? 'pass' : 'fail';
  }

  explainFailure(event: CloudEvent): string {
    return `${this.path}: ${this.attribute} is ${describeValue(attributeText(event, this.attribute))} (expected exactly ${JSON.stringify(this.value)})`;
  }
}
