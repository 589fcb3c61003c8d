/** `any: [...]`: OR, stopping at the first pass (any_filter.go). */
import type { CloudEvent } from '../../cloudevents/cloud-event.ts';
import { type Filter, type FilterResult, or } from './filter.ts';

export class AnyFilter implements Filter {
  constructor(
    readonly path: string,
    private readonly filters: readonly Filter[],
  ) {}

  match(event: CloudEvent): FilterResult {
    let result: FilterResult = 'none';
    for (const filter of this.filters) {
      result = or(result, filter.match(event));
      if (result === 'pass') return 'pass';
    }
    return result;
  }

  explainFailure(event: CloudEvent): string {
    const reasons = this.filters.filter((filter) => filter.match(event) === 'fail').map((filter) => filter.explainFailure(event));
    return `${this.path}: none of its filters matched (${reasons.join('; ')})`;
  }
}
