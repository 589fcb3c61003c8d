/**
 * WebhookSource authentication presets as plain values, each against: a valid request, the wrong
 * secret, a tampered body, a stale timestamp (where the scheme has one) and a missing header.
 * GitHub and Standard Webhooks are checked against the worked examples their documentation
 * publishes; Stripe publishes no secret with its example, so its request is signed here by the
 * documented recipe.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type WebhookAuth, type WebhookRequest, verifyWebhook } from '../../../sources/webhook/webhook-auth.ts';

const body = (text: string) => Buffer.from(text);
function check(auth: WebhookAuth, request: WebhookRequest): string {
  const verdict = verifyWebhook(auth, request);
  return verdict.ok ? 'ok' : verdict.reason;
}

describe('GitHub (X-Hub-Signature-256), with the example of GitHub\'s documentation', () => {
  // docs.github.com, "Validating webhook deliveries": secret and payload, and the signature they give.
  const auth: WebhookAuth = { kind: 'github', secret: "It's a Secret to Everybody" };
  const headers = { 'x-hub-signature-256': 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17' };
  const now = Date.now();

  it('accepts the documented delivery', () => expect(check(auth, { headers, body: body('Hello, World!'), now })).toBe('ok'));
  it('refuses the wrong secret', () => expect(check({ kind: 'github', secret: "It's a secret to everybody" }, { headers, body: body('Hello, World!'), now })).toMatch(/does not match/));
  it('refuses a tampered body', () => expect(check(auth, { headers, body: body('Hello, World?'), now })).toMatch(/does not match/));
  it('refuses a missing header', () => expect(check(auth, { headers: {}, body: body('Hello, World!'), now })).toBe('the X-Hub-Signature-256 header is missing'));
});

describe('Standard Webhooks, with the example of the specification', () => {
  // standardwebhooks.com / the standard-webhooks repository: secret, id, timestamp, payload and signature.
  const auth: WebhookAuth = { kind: 'standard-webhooks', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' };
  const headers = { 'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek', 'webhook-timestamp': '1614265330', 'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=' };
  const payload = body('{"test": 2432232314}');
  const then = 1614265330_000 + 10_000;

  it('accepts the documented message within the tolerance', () => expect(check(auth, { headers, body: payload, now: then })).toBe('ok'));
  it('accepts when one of several signatures matches (key rotation)', () =>
    expect(check(auth, { headers: { ...headers, 'webhook-signature': `v1,bm90IGl0 ${headers['webhook-signature']}` }, body: payload, now: then })).toBe('ok'));
  it('refuses the wrong secret', () => expect(check({ kind: 'standard-webhooks', secret: 'whsec_bm90IHRoZSBzZWNyZXQ=' }, { headers, body: payload, now: then })).toMatch(/no v1 signature/));
  it('refuses a tampered body', () => expect(check(auth, { headers, body: body('{"test": 2432232315}'), now: then })).toMatch(/no v1 signature/));
  it('refuses a stale timestamp (a replay, 6 minutes later)', () => expect(check(auth, { headers, body: payload, now: 1614265330_000 + 6 * 60_000 })).toMatch(/360 s away from now \(tolerance 300 s\): a stale or replayed request/));
  it('refuses a missing header', () => expect(check(auth, { headers: { ...headers, 'webhook-id': undefined }, body: payload, now: then })).toMatch(/headers is missing/));
});

describe('Stripe (Stripe-Signature)', () => {
  const secret = 'whsec_test_secret';
  const payload = body('{"id":"evt_1","object":"event"}');
  const t = 1_800_000_000;
  const sign = (key: string, data: Buffer, at: number) => createHmac('sha256', key).update(`${at}.`).update(data).digest('hex');
  const auth: WebhookAuth = { kind: 'stripe', secret };
  const now = t * 1000 + 1000;

  it('accepts a request signed by the documented recipe, among other v1 and v0 values', () =>
    expect(check(auth, { headers: { 'stripe-signature': `t=${t},v1=${'0'.repeat(64)},v1=${sign(secret, payload, t)},v0=abc` }, body: payload, now })).toBe('ok'));
  it('refuses the wrong secret', () => expect(check(auth, { headers: { 'stripe-signature': `t=${t},v1=${sign('other', payload, t)}` }, body: payload, now })).toMatch(/no v1 signature/));
  it('refuses a tampered body', () => expect(check(auth, { headers: { 'stripe-signature': `t=${t},v1=${sign(secret, payload, t)}` }, body: body('{}'), now })).toMatch(/no v1 signature/));
  it('refuses a stale timestamp', () => expect(check(auth, { headers: { 'stripe-signature': `t=${t},v1=${sign(secret, payload, t)}` }, body: payload, now: now + 10 * 60_000 })).toMatch(/stale or replayed/));
  it('refuses a missing header or a header without t or v1', () => {
    expect(check(auth, { headers: {}, body: payload, now })).toBe('the Stripe-Signature header is missing');
    expect(check(auth, { headers: { 'stripe-signature': `v1=${sign(secret, payload, t)}` }, body: payload, now })).toMatch(/no t= or no v1=/);
  });
});

describe('generic HMAC, bearer token and basic auth', () => {
  const payload = body('{"order":42}');
  const now = Date.now();
  const hmacAuth: WebhookAuth = { kind: 'hmac', secret: 's3cret', header: 'X-Signature', algorithm: 'sha512', encoding: 'base64', prefix: 'sha512=' };
  const signature = `sha512=${createHmac('sha512', 's3cret').update(payload).digest('base64')}`;

  it('HMAC: header, algorithm, encoding and prefix as configured', () => {
    expect(check(hmacAuth, { headers: { 'x-signature': signature }, body: payload, now })).toBe('ok');
    expect(check({ ...hmacAuth, secret: 'other' }, { headers: { 'x-signature': signature }, body: payload, now })).toMatch(/does not match/);
    expect(check(hmacAuth, { headers: { 'x-signature': signature }, body: body('{"order":43}'), now })).toMatch(/does not match/);
    expect(check(hmacAuth, { headers: {}, body: payload, now })).toBe('the X-Signature header is missing');
  });

  it('bearer token', () => {
    expect(check({ kind: 'bearer', token: 'tok' }, { headers: { authorization: 'Bearer tok' }, body: payload, now })).toBe('ok');
    expect(check({ kind: 'bearer', token: 'tok' }, { headers: { authorization: 'Bearer nope' }, body: payload, now })).toMatch(/not the expected one/);
    expect(check({ kind: 'bearer', token: 'tok' }, { headers: {}, body: payload, now })).toBe('the Authorization header is missing');
  });

  it('basic auth', () => {
    const header = `Basic ${Buffer.from('hook:pw').toString('base64')}`;
    expect(check({ kind: 'basic', username: 'hook', password: 'pw' }, { headers: { authorization: header }, body: payload, now })).toBe('ok');
    expect(check({ kind: 'basic', username: 'hook', password: 'other' }, { headers: { authorization: header }, body: payload, now })).toMatch(/not the expected one/);
    expect(check({ kind: 'basic', username: 'hook', password: 'pw' }, { headers: {}, body: payload, now })).toBe('the Authorization header is missing');
  });
});
