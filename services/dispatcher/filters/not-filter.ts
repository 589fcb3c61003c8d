/** `not: {...}`: pass and fail swap, "no filter" stays "no filter" (not_filter.go). */
import type { CloudEvent } from '../../cloudevents/cloud-event.ts';
import type { Filter, FilterResult } from './filter.ts';

export class NotFilter implements Filter {
  constructor(
    readonly path: string,
    private readonly filter: Filter,
  ) {}

  match(event: CloudEvent): FilterResult {
    const result = this.filter.match(event);
    if (result === 'none') return 'none';
    return result === 'pass' ? 'fail' : 'pass';
  }

  explainFailure(): string {
    return `${this.path}: the event matches ${this.filter.path}, which this filter negates`;
  }
}
