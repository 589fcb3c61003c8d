import { describe, expect, it } from 'vitest';
import { backoffDelayMs, isRetryable, parseRetryAfter, waitBeforeRetryMs } from '../../services/dispatcher/delivery/backoff.ts';
import { mergeDelivery } from '../../services/dispatcher/delivery/delivery-options.ts';

describe('backoff before retry n', () => {
  it('linear is backoffDelay × n', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelayMs(n, 'linear', 200))).toEqual([200, 400, 600, 800]);
  });
  it('exponential is backoffDelay × 2^n', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelayMs(n, 'exponential', 100))).toEqual([200, 400, 800, 1600]);
  });
  it('backoffMax caps both', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelayMs(n, 'exponential', 100, 500))).toEqual([200, 400, 500, 500]);
    expect(backoffDelayMs(10, 'linear', 100, 250)).toBe(250);
  });
});

describe('the retry table', () => {
  it.each([
    [undefined, true, 'network error or timeout'],
    [500, true, '5xx'],
    [502, true, '5xx'],
    [503, true, '5xx'],
    [404, true, 'listed 4xx'],
    [408, true, 'listed 4xx'],
    [409, true, 'listed 4xx'],
    [429, true, 'listed 4xx'],
    [400, false, 'other 4xx'],
    [401, false, 'other 4xx'],
    [403, false, 'other 4xx'],
    [405, false, 'other 4xx'],
    [413, false, 'other 4xx'],
    [301, false, '3xx'],
    [302, false, '3xx'],
    [100, false, '1xx'],
  ] as Array<[number | undefined, boolean, string]>)('%s retried: %s (%s)', (status, retried) => {
    expect(isRetryable(status)).toBe(retried);
  });
});

describe('Retry-After', () => {
  const now = Date.parse('2026-11-23T10:00:00Z');
  it('reads delay-seconds and HTTP dates', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Mon, 23 Nov 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Mon, 23 Nov 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
  it('is honoured on 429 and 503 up to retryAfterMax, never below the backoff', () => {
    const base = { retry: 1, policy: 'linear' as const, delayMs: 1000 };
    expect(waitBeforeRetryMs({ ...base, status: 429, retryAfterMs: 5000 })).toBe(5000);
    expect(waitBeforeRetryMs({ ...base, status: 503, retryAfterMs: 5000, retryAfterMaxMs: 2000 })).toBe(2000);
    expect(waitBeforeRetryMs({ ...base, status: 503, retryAfterMs: 100 })).toBe(1000);
    expect(waitBeforeRetryMs({ ...base, status: 500, retryAfterMs: 5000 })).toBe(1000);
    expect(waitBeforeRetryMs({ ...base, status: 429, retryAfterMs: 5000, retryAfterMaxMs: 0 })).toBe(1000);
  });
});

describe("a trigger's delivery overrides its broker's field by field", () => {
  it('takes each field from the trigger when set, else from the broker', () => {
    const merged = mergeDelivery(
      { retry: 10, backoffPolicy: 'linear', backoffDelay: 'PT2S', timeout: 'PT5S', deadLetterSink: { uri: 'http://broker-dls' } },
      { deadLetterSink: { uri: 'http://trigger-dls' }, backoffDelay: 'PT0.5S' },
    );
    expect(merged).toEqual({
      retry: 10,
      backoffPolicy: 'linear',
      backoffDelayMs: 500,
      backoffMaxMs: undefined,
      timeoutMs: 5000,
      retryAfterMaxMs: undefined,
      deadLetterSink: { uri: 'http://trigger-dls' },
      format: 'binary',
    });
  });
  it('a trigger retry of 0 overrides the broker', () => {
    expect(mergeDelivery({ retry: 5 }, { retry: 0 }).retry).toBe(0);
  });
  it('defaults: no retries, exponential from 1 s, 10 minute timeout, binary', () => {
    expect(mergeDelivery(undefined, undefined)).toMatchObject({ retry: 0, backoffPolicy: 'exponential', backoffDelayMs: 1000, timeoutMs: 600_000, format: 'binary' });
  });
});
