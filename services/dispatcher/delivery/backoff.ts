/**
 * When to retry, and whether to: pure functions, unit-tested with plain numbers.
 *
 * Backoff before retry n (n = 1, 2, …), as Knative documents it (docs event-delivery.md; the Kafka
 * broker implements exactly this, the MT broker is off by one, see the reference §3.1):
 *   linear       backoffDelay × n
 *   exponential  backoffDelay × 2^n
 * capped by backoffMax when given. Retry-After on 429 and 503 is honoured up to retryAfterMax:
 * the wait is max(backoff, min(Retry-After, retryAfterMax)) (knative/eventing retries.go).
 */

export type BackoffPolicy = 'linear' | 'exponential';

export function backoffDelayMs(retry: number, policy: BackoffPolicy, delayMs: number, maxMs?: number): number {
  const raw = policy === 'linear' ? delayMs * retry : delayMs * 2 ** retry;
  return maxMs === undefined ? raw : Math.min(raw, maxMs);
}

/** The retry table (knative/specs data-plane.md; reference §3.2). `undefined` is a network error or timeout. */
export function isRetryable(status: number | undefined): boolean {
  if (status === undefined) return true;
  if (status >= 500) return true;
  return status === 404 || status === 408 || status === 409 || status === 429;
}

export function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

/** Retry-After as delay-seconds or an HTTP-date (RFC 9110 §10.2.3), in ms from `nowMs`; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | undefined, nowMs: number): number | undefined {
  if (header === undefined) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

export function waitBeforeRetryMs(options: {
  readonly retry: number;
  readonly policy: BackoffPolicy;
  readonly delayMs: number;
  readonly maxMs?: number | undefined;
  readonly status?: number | undefined;
  readonly retryAfterMs?: number | undefined;
  readonly retryAfterMaxMs?: number | undefined;
}): number {
  const backoff = backoffDelayMs(options.retry, options.policy, options.delayMs, options.maxMs);
  if (options.retryAfterMs === undefined || (options.status !== 429 && options.status !== 503)) return backoff;
  const honoured = options.retryAfterMaxMs === undefined ? options.retryAfterMs : Math.min(options.retryAfterMs, options.retryAfterMaxMs);
  return Math.max(backoff, honoured);
}
