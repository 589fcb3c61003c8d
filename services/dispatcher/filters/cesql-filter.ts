/**
 * `cesql: "<expression>"` (knative/eventing pkg/eventfilter/subscriptionsapi/cesql_filter.go):
 * passes when the expression yields the Boolean true without an error (CESQL §1.2). An error at
 * run time fails the event, as in Knative, and is reported to `onError` so it can be counted.
 */
import type { CloudEvent } from '../../cloudevents/cloud-event.ts';
import { type CesqlError, type CompiledCesql, compileCesql } from '../../cesql/cesql.ts';
import type { Filter, FilterResult } from './filter.ts';

export type CesqlErrorObserver = (path: string, error: CesqlError, event: CloudEvent) => void;

export class CesqlFilter implements Filter {
  readonly #expression: CompiledCesql;

  constructor(
    readonly path: string,
    text: string,
    private readonly onError: CesqlErrorObserver | undefined,
  ) {
    const outcome = compileCesql(text);
    // The loader refuses expressions that do not parse; this guards other callers.
    if (!outcome.ok) throw new Error(`${path}: ${outcome.error.kind} error at character ${outcome.error.at + 1}: ${outcome.error.message}`);
    this.#expression = outcome.expression;
  }

  match(event: CloudEvent): FilterResult {
    if (this.onError === undefined) return this.#expression.matches(event.attributes) ? 'pass' : 'fail';
    const { value, error } = this.#expression.evaluate(event.attributes);
    if (error !== undefined) {
      this.onError(this.path, error, event);
      return 'fail';
    }
    return value === true ? 'pass' : 'fail';
  }

  explainFailure(event: CloudEvent): string {
    const { value, error } = this.#expression.evaluate(event.attributes);
    const expression = JSON.stringify(this.#expression.text);
    if (error !== undefined) return `${this.path}: ${expression} failed with a ${error.kind} error: ${error.message} (at character ${error.at + 1}; the value was ${JSON.stringify(value)})`;
    return `${this.path}: ${expression} evaluated to ${JSON.stringify(value)} (expected true)`;
  }
}
