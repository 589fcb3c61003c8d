/**
 * The lease that makes one process at a time the reader of an exclusive cursor (an ordered
 * trigger): several readers of one consumer group would each take a share of the entries and
 * deliver them side by side, so a key's order would not hold across processes.
 *
 *   SET lease me NX PX ttl   ── taken ──▶ read; renewed every ttl/3 (only while still mine)
 *        │ held by another                 └─ a renewal finds it gone or another's: lost, stop reading
 *        ▼
 *   wait and try again (a holder that dies stops renewing; the lease expires after ttl)
 *
 * A reader that takes the lease over first claims every entry the previous holder left pending,
 * oldest first, before reading new ones (redis-event-log.ts), so they keep their place in order.
 */
import type { Redis } from 'ioredis';
import { send } from './redis-connection.ts';

/** Extends the lease in KEYS[1] by ARGV[2] ms if ARGV[1] still holds it. */
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;
/** Gives the lease in KEYS[1] up if ARGV[1] holds it. */
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export class CursorLease {
  #held = false;

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly holder: string,
    private readonly ttlMs: number,
  ) {}

  get held(): boolean {
    return this.#held;
  }

  /** Takes the lease if it is free (or already this holder's); true when held afterwards. */
  async acquire(): Promise<boolean> {
    const taken = await send(this.redis, 'SET', [this.key, this.holder, 'NX', 'PX', String(this.ttlMs)]);
    if (taken === 'OK') return (this.#held = true);
    this.#held = (await send(this.redis, 'EVAL', [RENEW, '1', this.key, this.holder, String(this.ttlMs)])) === 1;
    return this.#held;
  }

  /** Keeps a held lease; false when it was lost (expired while Redis was away, and another took it). */
  async renew(): Promise<boolean> {
    if (!this.#held) return false;
    this.#held = (await send(this.redis, 'EVAL', [RENEW, '1', this.key, this.holder, String(this.ttlMs)])) === 1;
    return this.#held;
  }

  async release(): Promise<void> {
    if (!this.#held) return;
    this.#held = false;
    await send(this.redis, 'EVAL', [RELEASE, '1', this.key, this.holder]);
  }
}
