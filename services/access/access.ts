/**
 * Who may use the admin API and publish to a broker: bearer tokens (`Authorization: Bearer T`).
 *
 * - Admin API (everything under /api/): when tokens are configured, reading (GET) needs a read
 *   or an admin token; anything else (redrive, purge, what later changes state) an admin token.
 *   Without any token configured the API is open, and `run` refuses to listen beyond loopback
 *   unless told `--insecure`.
 * - Ingress: a broker with ingress tokens takes events only with one of them.
 *
 * Tokens are compared by their SHA-256 digests with timingSafeEqual: the time taken says nothing
 * about how much of a guess was right. No token is ever logged or answered.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { SwitchyardError } from '../errors.ts';

export type Role = 'read' | 'admin';

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** A set of tokens, each matched in constant time. */
export class TokenSet {
  readonly #digests: Buffer[];

  constructor(tokens: readonly string[]) {
    this.#digests = tokens.map(digest);
  }

  get size(): number {
    return this.#digests.length;
  }

  has(token: string): boolean {
    const candidate = digest(token);
    let found = false;
    for (const known of this.#digests) found = timingSafeEqual(known, candidate) || found;
    return found;
  }
}

/** The token of an `Authorization: Bearer …` header. */
export function bearerToken(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  const match = value === undefined ? null : /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(value);
  return match?.[1];
}

export class AdminAccess {
  constructor(
    private readonly admin: TokenSet,
    private readonly read: TokenSet,
  ) {}

  get open(): boolean {
    return this.admin.size === 0 && this.read.size === 0;
  }

  /** Throws SWY_UNAUTHORIZED or SWY_FORBIDDEN unless the header's token may do `role`'s work. */
  check(header: string | string[] | undefined, needs: Role): void {
    if (this.open) return;
    const token = bearerToken(header);
    if (token === undefined) throw new SwitchyardError('SWY_UNAUTHORIZED', 'the admin API needs a token: send Authorization: Bearer TOKEN (switchyard commands send --token or SWITCHYARD_TOKEN)');
    if (this.admin.has(token)) return;
    if (!this.read.has(token)) throw new SwitchyardError('SWY_UNAUTHORIZED', 'the token is not one this platform knows');
    if (needs === 'admin') throw new SwitchyardError('SWY_FORBIDDEN', 'a read token may list and show; redrive and purge need an admin token');
  }
}

/** The hosts `redrive --to` may send to: exact names, or `*.example.com` for any subdomain. */
export function hostAllowed(url: string, allowed: readonly string[] | undefined): boolean {
  if (allowed === undefined) return true;
  const host = new URL(url).hostname.toLowerCase();
  return allowed.some((pattern) => {
    const p = pattern.toLowerCase();
    return p.startsWith('*.') ? host.endsWith(p.slice(1)) && host.length > p.length - 1 : host === p;
  });
}
