/** A filter element that filters nothing: empty, or skipped as Knative skips it. */
import type { Filter, FilterResult } from './filter.ts';

export class NoFilter implements Filter {
  constructor(readonly path: string) {}

  match(): FilterResult {
    return 'none';
  }

  explainFailure(): string {
    return `${this.path}: filters nothing`;
  }
}
