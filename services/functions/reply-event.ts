/**
 * What a Function returned, as a CloudEvent: a full event, or an event-like object whose missing
 * `specversion`, `id` and `source` are filled in. `type` is required. Pure.
 */
import { randomUUID } from 'node:crypto';
import type { CloudEvent } from '../cloudevents/cloud-event.ts';
import { eventFromJson } from '../cloudevents/json-format.ts';

export type ReplyOutcome = { readonly reply: CloudEvent | undefined } | { readonly problem: string };

export function replyFromReturnValue(value: unknown, defaultSource: string): ReplyOutcome {
  if (value === null || value === undefined) return { reply: undefined };
  if (typeof value !== 'object' || Array.isArray(value)) {
    return { problem: `the function returned ${Array.isArray(value) ? 'a list' : `a ${typeof value}`} (expected an event-like object with a type, or nothing)` };
  }
  const object = value as Record<string, unknown>;
  if (object['type'] === undefined) return { problem: 'the function returned an object without a type (expected an event-like object with a type, or nothing)' };
  const candidate: Record<string, unknown> = { specversion: '1.0', id: randomUUID(), source: defaultSource, ...object };
  const data = candidate['data'];
  if (data !== undefined && data !== null && typeof data !== 'string' && candidate['datacontenttype'] === undefined) candidate['datacontenttype'] = 'application/json';
  const outcome = eventFromJson(candidate);
  if (!outcome.ok) return { problem: `the function returned an invalid event: ${outcome.violations.map((v) => v.rule).join('; ')}` };
  return { reply: outcome.event };
}
