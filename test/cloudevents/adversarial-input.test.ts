/**
 * Quadratic regular expression (and its kin): every check that sees input from outside runs in
 * time linear in it. Each is timed on adversarial input of 64 KB and 256 KB (the size that held
 * the event loop for 40 s in datacontenttype): the larger must take under 100 ms and grow
 * about linearly (a quadratic check grows 16 times for 4 times the input). End to end, such
 * requests are answered at once while a health probe keeps getting answers.
 */
import { describe, expect, it } from 'vitest';
import { compileLikePattern } from '../../services/cesql/like-pattern.ts';
import { evaluateCesql } from '../../services/cesql/cesql.ts';
import { eventsFromHttp } from '../../services/cloudevents/http-binding.ts';
import { eventFromJson } from '../../services/cloudevents/json-format.ts';
import { isAbsoluteUri, isMediaType, isRfc3339, isUriReference, validateAttributes } from '../../services/cloudevents/validate-attributes.ts';
import { parseRetryAfter } from '../../services/dispatcher/delivery/backoff.ts';
import { deferredCleanups } from '../support/cleanups.ts';
import { STALL_BOUND_MS } from '../support/event-loop-stall.ts';
import { startTestPlatform } from '../support/platform.ts';

const defer = deferredCleanups();
const KB = 1024;

/** The fastest of five runs, in ms: the least disturbed by other tests sharing the cores. */
function fastest(run: () => unknown): number {
  let best = Infinity;
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    run();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

const base = { specversion: '1.0', id: '1', source: '/s', type: 't' };
const quietly = (run: () => unknown) => () => {
  try {
    run();
  } catch {
    // Refusing is fine; taking long is not.
  }
};

const CHECKS: ReadonlyArray<readonly [string, (n: number) => () => unknown]> = [
  ['datacontenttype: a run of spaces', (n) => () => isMediaType(`a/b${' '.repeat(n)}x`)],
  ['datacontenttype: many parameters', (n) => () => isMediaType(`a/b${';a=b'.repeat(n / 4)} x`)],
  ['datacontenttype: an unclosed quoted parameter', (n) => () => isMediaType(`a/b;a="${'\\"'.repeat(n / 2)}`)],
  ['source: stray percent signs', (n) => () => isUriReference(`${'%'.repeat(n)} `)],
  ['dataschema: a long scheme', (n) => () => isAbsoluteUri(`${'a'.repeat(n)}`)],
  ['time: digits', (n) => () => isRfc3339('2'.repeat(n))],
  ['extension names', (n) => () => validateAttributes({ ...base, [`${'a'.repeat(n)}-`]: 'x' })],
  ['data_base64', (n) => () => eventFromJson({ ...base, data_base64: `${'A'.repeat(n)}!` })],
  ['a quoted ce- header value', (n) => quietly(() => eventsFromHttp({ 'ce-specversion': '1.0', 'ce-id': '1', 'ce-source': '/s', 'ce-type': 't', 'ce-x': `"${'\\a'.repeat(n / 2)}` }, undefined))],
  ['a percent-encoded ce- header value', (n) => quietly(() => eventsFromHttp({ 'ce-specversion': '1.0', 'ce-id': '1', 'ce-source': '/s', 'ce-type': 't', 'ce-x': '%41'.repeat(n / 3) }, undefined))],
  ['CESQL LIKE with several %', (n) => () => compileLikePattern('%a%a%a%a%b')('a'.repeat(n))],
  ['CESQL LIKE with _ and %', (n) => () => compileLikePattern('%_%_%_b')('a'.repeat(n))],
  ['CESQL TRIM of inner spaces', (n) => () => evaluateCesql('TRIM(subject)', { subject: `x${'\u2000'.repeat(n)}x` })],
  ['CESQL on a long attribute', (n) => () => evaluateCesql("subject LIKE '%x%y' AND LOWER(subject) = 'z'", { subject: 'x'.repeat(n) })],
  ['Retry-After from a sink', (n) => () => parseRetryAfter('9'.repeat(n), Date.now())],
];

describe('Quadratic regular expression: checks of outside input take linear time', () => {
  it.each(CHECKS)('%s', (_name, check) => {
    fastest(check(1024)); // warm up
    const small = fastest(check(64 * KB));
    const large = fastest(check(256 * KB));
    expect(large, `256 KB took ${large.toFixed(1)} ms`).toBeLessThan(100);
    expect(large, `64 KB: ${small.toFixed(2)} ms, 256 KB: ${large.toFixed(2)} ms`).toBeLessThan(Math.max(10 * small, 10));
  });
});

describe('Quadratic regular expression: end to end', () => {
  it('a 256 KB datacontenttype of spaces is answered 400 at once, and /healthz keeps answering meanwhile', async () => {
    const platform = await startTestPlatform(undefined, { bodyLimit: 2 * 1024 * KB });
    defer(() => platform.stop());
    let worst = 0;
    let probing = true;
    const probe = (async () => {
      while (probing) {
        const started = performance.now();
        await fetch(`${platform.url}/healthz`);
        worst = Math.max(worst, performance.now() - started);
      }
    })();
    const started = performance.now();
    const response = await fetch(`${platform.url}/default/default`, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents+json' },
      body: JSON.stringify({ ...base, datacontenttype: `application/json${' '.repeat(256 * KB)}x` }),
    });
    const took = performance.now() - started;
    probing = false;
    await probe;
    expect(response.status).toBe(400);
    expect(took, "the answer").toBeLessThan(STALL_BOUND_MS);
    expect(worst, 'worst /healthz wait').toBeLessThan(STALL_BOUND_MS);
  });

  it('a binary event whose Content-Type header is 12 KB of parameters and spaces is answered at once', async () => {
    const platform = await startTestPlatform();
    defer(() => platform.stop());
    const started = performance.now();
    const response = await fetch(`${platform.url}/default/default`, {
      method: 'POST',
      headers: { 'ce-specversion': '1.0', 'ce-id': '1', 'ce-source': '/s', 'ce-type': 't', 'content-type': `text/plain${' ; a=b'.repeat(2 * KB)} x` },
      body: 'x',
    });
    expect([202, 400]).toContain(response.status);
    expect(performance.now() - started, "the answer").toBeLessThan(STALL_BOUND_MS);
  });
});
