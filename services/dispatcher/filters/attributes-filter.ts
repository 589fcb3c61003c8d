/**
 * The legacy `filter.attributes` map (knative/eventing pkg/eventfilter/attributes/filter.go): every
 * listed attribute must be present; `""` accepts any value; otherwise the value must be the same
 * string. As in Knative's MT broker, a non-string value (an integer extension from a structured
 * event) never equals a non-empty filter value.
 */
import { attributeOf, type CloudEvent } from '../../cloudevents/cloud-event.ts';
import { describeValue, type Filter, type FilterResult } from './filter.ts';

export class AttributesFilter implements Filter {
  private readonly entries: ReadonlyArray<readonly [string, string]>;

  constructor(
    readonly path: string,
    attributes: Readonly<Record<string, string>>,
  ) {
    this.entries = Object.entries(attributes);
  }

  get requiredType(): string | undefined {
    const type = this.entries.find(([name]) => name === 'type')?.[1];
    return type === '' ? undefined : type;
  }

  match(event: CloudEvent): FilterResult {
    if (this.entries.length === 0) return 'none';
    for (const [name, expected] of this.entries) {
      const value = attributeOf(event.attributes, name);
      if (value === undefined) return 'fail';
      if (expected !== '' && value !== expected) return 'fail';
    }
    return 'pass';
  }

  explainFailure(event: CloudEvent): string {
    for (const [name, expected] of this.entries) {
      const value = attributeOf(event.attributes, name);
      if (value === undefined) return `${this.path}.${name}: ${name} is missing (expected ${expected === '' ? 'any value' : JSON.stringify(expected)})`;
      if (expected !== '' && value !== expected) {
        const shown = typeof value === 'string' ? describeValue(value) : `the ${typeof value} ${String(value)}`;
        return `${this.path}.${name}: ${name} is ${shown} (expected exactly the string ${JSON.stringify(expected)})`;
      }
    }
    return `${this.path}: failed`;
  }
}
