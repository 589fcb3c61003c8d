/**
 * How a WebhookSource authenticates a request, per preset. Pure: the request's headers (names in
 * lower case), its raw body and the current time come in; a verdict goes out. Every comparison of
 * a secret-derived value runs in constant time, and schemes with a timestamp refuse requests
 * outside the tolerance (default 5 minutes) so a captured request cannot be replayed later.
 *
 * - github: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>` (GitHub docs,
 *   "Validating webhook deliveries"). GitHub signs no timestamp; `X-GitHub-Delivery` ids are the
 *   replay guard a consumer can deduplicate on.
 * - stripe: `Stripe-Signature: t=<unix s>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>[,v1=…]`
 *   (Stripe docs, "Verify webhook signatures manually"); any v1 may match.
 * - standard-webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64
 *   HMAC-SHA256(key, "<id>.<timestamp>.<body>")> [v1,…]`, the key the base64 after `whsec_`
 *   (Standard Webhooks specification).
 * - hmac: a header holding `<prefix><HMAC(secret, body)>` in hex or base64, with sha1, sha256 or sha512.
 * - bearer: `Authorization: Bearer <token>`; basic: `Authorization: Basic base64(user:password)`.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const DEFAULT_TOLERANCE_MS = 5 * 60_000;

export type HmacAlgorithm = 'sha1' | 'sha256' | 'sha512';

export type WebhookAuth =
  | { readonly kind: 'github'; readonly secret: string }
  | { readonly kind: 'stripe'; readonly secret: string; readonly toleranceMs?: number | undefined }
  | { readonly kind: 'standard-webhooks'; readonly secret: string; readonly toleranceMs?: number | undefined }
  | {
      readonly kind: 'hmac';
      readonly secret: string;
      readonly header: string;
      readonly algorithm: HmacAlgorithm;
      readonly encoding: 'hex' | 'base64';
      readonly prefix?: string | undefined;
    }
  | { readonly kind: 'bearer'; readonly token: string }
  | { readonly kind: 'basic'; readonly username: string; readonly password: string };

export interface WebhookRequest {
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: Uint8Array;
  /** ms since the epoch. */
  readonly now: number;
}

export type AuthVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: string };

const OK: AuthVerdict = { ok: true };
const refuse = (reason: string): AuthVerdict => ({ ok: false, reason });

/** Equal in constant time, whatever the lengths (both sides are hashed to one length first). */
export function constantTimeEqual(a: string | Buffer, b: string | Buffer): boolean {
  const digest = (value: string | Buffer) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(a), digest(b));
}

function hmac(algorithm: HmacAlgorithm, key: string | Buffer, ...parts: Array<string | Uint8Array>): Buffer {
  const mac = createHmac(algorithm, key);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

function withinTolerance(seconds: string, now: number, toleranceMs: number | undefined): AuthVerdict {
  if (!/^\d+$/.test(seconds)) return refuse(`the timestamp ${JSON.stringify(seconds)} is not whole seconds since the epoch`);
  const skew = Math.abs(now - Number(seconds) * 1000);
  const tolerance = toleranceMs ?? DEFAULT_TOLERANCE_MS;
  if (skew > tolerance) return refuse(`the timestamp is ${Math.round(skew / 1000)} s away from now (tolerance ${tolerance / 1000} s): a stale or replayed request`);
  return OK;
}

export function verifyWebhook(auth: WebhookAuth, request: WebhookRequest): AuthVerdict {
  const { headers, body, now } = request;
  switch (auth.kind) {
    case 'github': {
      const header = headers['x-hub-signature-256'];
      if (header === undefined) return refuse('the X-Hub-Signature-256 header is missing');
      const expected = `sha256=${hmac('sha256', auth.secret, body).toString('hex')}`;
      return constantTimeEqual(header, expected) ? OK : refuse('X-Hub-Signature-256 does not match the body and the secret');
    }
    case 'stripe': {
      const header = headers['stripe-signature'];
      if (header === undefined) return refuse('the Stripe-Signature header is missing');
      const pairs = header.split(',').map((part) => part.trim().split('=', 2) as [string, string | undefined]);
      const timestamp = pairs.find(([key]) => key === 't')?.[1];
      const signatures = pairs.filter(([key]) => key === 'v1').map(([, value]) => value ?? '');
      if (timestamp === undefined || signatures.length === 0) return refuse('Stripe-Signature has no t= or no v1= element');
      const expected = hmac('sha256', auth.secret, `${timestamp}.`, body).toString('hex');
      if (!signatures.some((signature) => constantTimeEqual(signature, expected))) return refuse('no v1 signature in Stripe-Signature matches the body and the secret');
      return withinTolerance(timestamp, now, auth.toleranceMs);
    }
    case 'standard-webhooks': {
      const id = headers['webhook-id'];
      const timestamp = headers['webhook-timestamp'];
      const header = headers['webhook-signature'];
      if (id === undefined || timestamp === undefined || header === undefined) return refuse('one of the webhook-id, webhook-timestamp and webhook-signature headers is missing');
      const key = Buffer.from(auth.secret.startsWith('whsec_') ? auth.secret.slice('whsec_'.length) : auth.secret, 'base64');
      const expected = hmac('sha256', key, `${id}.${timestamp}.`, body).toString('base64');
      const signatures = header.split(' ').filter((entry) => entry.startsWith('v1,')).map((entry) => entry.slice(3));
      if (!signatures.some((signature) => constantTimeEqual(signature, expected))) return refuse('no v1 signature in webhook-signature matches the body and the secret');
      return withinTolerance(timestamp, now, auth.toleranceMs);
    }
    case 'hmac': {
      const header = headers[auth.header.toLowerCase()];
      if (header === undefined) return refuse(`the ${auth.header} header is missing`);
      const expected = `${auth.prefix ?? ''}${hmac(auth.algorithm, auth.secret, body).toString(auth.encoding)}`;
      return constantTimeEqual(header, expected) ? OK : refuse(`${auth.header} does not match the body and the secret`);
    }
    case 'bearer': {
      const header = headers['authorization'];
      if (header === undefined) return refuse('the Authorization header is missing');
      return constantTimeEqual(header, `Bearer ${auth.token}`) ? OK : refuse('the bearer token is not the expected one');
    }
    case 'basic': {
      const header = headers['authorization'];
      if (header === undefined) return refuse('the Authorization header is missing');
      const expected = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
      return constantTimeEqual(header, expected) ? OK : refuse('the user name or password is not the expected one');
    }
  }
}
