/**
 * A trigger's effective delivery options: its own `delivery` over its broker's, field by field
 * (the Kafka broker's MergeEgressConfig; Knative's MT broker takes the trigger's block whole,
 * which silently drops the broker's retries when a trigger sets only a dead-letter sink).
 */
import type { Destination } from '../../../schemas/common.schema.ts';
import type { DeliverySpec } from '../../../schemas/delivery.schema.ts';
import { parseDuration } from '../../../schemas/duration.ts';
import type { BackoffPolicy } from './backoff.ts';

export interface DeliveryOptions {
  /** Retries after the first attempt (attempts = retry + 1). */
  readonly retry: number;
  readonly backoffPolicy: BackoffPolicy;
  readonly backoffDelayMs: number;
  readonly backoffMaxMs: number | undefined;
  /** Per attempt. */
  readonly timeoutMs: number;
  readonly retryAfterMaxMs: number | undefined;
  readonly deadLetterSink: Destination | undefined;
  readonly format: 'binary' | 'json';
}

/** Defaults where neither trigger nor broker says: no retries (Knative), 1 s delay and 10 min timeout (Kafka broker). */
export const DEFAULT_BACKOFF_DELAY_MS = 1000;
export const DEFAULT_TIMEOUT_MS = 600_000;

function ms(text: string | undefined): number | undefined {
  return text === undefined ? undefined : parseDuration(text);
}

export function mergeDelivery(broker: DeliverySpec | undefined, trigger: DeliverySpec | undefined): DeliveryOptions {
  const pick = <K extends keyof DeliverySpec>(key: K): DeliverySpec[K] | undefined => trigger?.[key] ?? broker?.[key];
  return Object.freeze({
    retry: pick('retry') ?? 0,
    backoffPolicy: pick('backoffPolicy') ?? 'exponential',
    backoffDelayMs: ms(pick('backoffDelay')) ?? DEFAULT_BACKOFF_DELAY_MS,
    backoffMaxMs: ms(pick('backoffMax')),
    timeoutMs: ms(pick('timeout')) ?? DEFAULT_TIMEOUT_MS,
    retryAfterMaxMs: ms(pick('retryAfterMax')),
    deadLetterSink: pick('deadLetterSink'),
    format: pick('format') ?? 'binary',
  });
}
