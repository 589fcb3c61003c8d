/** `all: [...]` and the top-level `filters` list: AND, stopping at the first failure (all_filter.go). */
import type { CloudEvent } from '../../cloudevents/cloud-event.ts';
import { and, type Filter, type FilterResult } from './filter.ts';

export class AllFilter implements Filter {
  constructor(
    readonly path: string,
    private readonly filters: readonly Filter[],
  ) {}

  /** AND: one child that needs a type is enough. */
  get requiredType(): string | undefined {
    for (const filter of this.filters) if (filter.requiredType !== undefined) return filter.requiredType;
    return undefined;
  }

  match(event: CloudEvent): FilterResult {
    let result: FilterResult = 'none';
    for (const filter of this.filters) {
      result = and(result, filter.match(event));
      if (result === 'fail') return 'fail';
    }
    return result;
  }

  explainFailure(event: CloudEvent): string {
    const failed = this.filters.find((filter) => filter.match(event) === 'fail');
    return failed ? failed.explainFailure(event) : `${this.path}: failed`;
  }
}
