/**
 * Notices that Redis lost its data: restarted without persistence, flushed, or failed over to a
 * replica that never had it. Ingress would go on answering 202 (XADD recreates a stream), while
 * every consumer group, retry and dead letter is gone and reads fail with NOGROUP for ever.
 *
 * The first engine to find no `{prefix}epoch` key writes a random token there (SET NX) and every
 * engine remembers the token it read. A key that is missing, or holds another token, means the
 * data this process knew is gone: the listeners run once per such loss in each process.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { send } from './redis-connection.ts';

export type StoreLostListener = () => unknown;

export class StoreEpoch {
  #known: string | undefined;
  #checking: Promise<boolean> | undefined;
  #losses = 0;
  #lastLossAt: number | undefined;
  readonly #listeners: StoreLostListener[] = [];

  constructor(
    private readonly client: Redis,
    private readonly key: string,
  ) {}

  /** Adopts the store's token, writing one when there is none yet (a new store). */
  async open(): Promise<void> {
    this.#known = await this.#adopt();
  }

  /** Times this process found the store emptied, and when it last did. */
  get losses(): { readonly count: number; readonly lastAt: number | undefined } {
    return { count: this.#losses, lastAt: this.#lastLossAt };
  }

  onLost(listener: StoreLostListener): void {
    this.#listeners.push(listener);
  }

  /** Resolves with true when the store lost its data since the last check (its listeners have run by then). */
  check(): Promise<boolean> {
    this.#checking ??= this.#check().finally(() => (this.#checking = undefined));
    return this.#checking;
  }

  async #check(): Promise<boolean> {
    const current = await send(this.client, 'GET', [this.key]);
    if (current !== null && current === this.#known) return false;
    this.#known = await this.#adopt();
    this.#losses++;
    this.#lastLossAt = Date.now();
    for (const listener of this.#listeners) await listener();
    return true;
  }

  async #adopt(): Promise<string> {
    await send(this.client, 'SET', [this.key, randomUUID(), 'NX']);
    return String(await send(this.client, 'GET', [this.key]));
  }
}
