/**
 * A trigger filter, compiled once when the configuration loads (knative/eventing
 * pkg/eventfilter/filter.go). `none` means "no filter here" and is the identity of both AND and
 * OR; only `fail` refuses an event.
 */
import { attributeString, type CloudEvent } from '../../cloudevents/cloud-event.ts';

export type FilterResult = 'pass' | 'fail' | 'none';

export interface Filter {
  /** Where the filter is written, like `spec.filters[0].exact`. */
  readonly path: string;
  match(event: CloudEvent): FilterResult;
  /** Why the event fails this filter; only called when `match` answered `fail`. */
  explainFailure(event: CloudEvent): string;
  /**
   * When set, an event whose `type` is not this string cannot pass: the log may skip such events
   * for the trigger without handing them out (see CursorSpec.onlyType).
   */
  readonly requiredType?: string | undefined;
}

export function and(x: FilterResult, y: FilterResult): FilterResult {
  if (x === 'none') return y;
  if (y === 'none') return x;
  return x === 'pass' && y === 'pass' ? 'pass' : 'fail';
}

export function or(x: FilterResult, y: FilterResult): FilterResult {
  if (x === 'none') return y;
  if (y === 'none') return x;
  return x === 'pass' || y === 'pass' ? 'pass' : 'fail';
}

/** An attribute as the Subscriptions API dialects compare it: its string form (Go's %v). */
export function attributeText(event: CloudEvent, name: string): string | undefined {
  return attributeString(event, name);
}

export function describeValue(value: string | undefined): string {
  return value === undefined ? 'missing' : JSON.stringify(value);
}
