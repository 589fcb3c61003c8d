/**
 * Per-key queues for ordered delivery: at most one item of a key is out at a time; the others of
 * that key wait here, in the order they were offered, while items of other keys go ahead.
 *
 *   offer(k, a) → true   (a goes now)        done(k) → b   (b goes now)
 *   offer(k, b) → false  (b waits behind a)  done(k) → undefined (k is idle again)
 */
import { attributeOf } from '../../cloudevents/cloud-event.ts';

export class KeyQueues<T> {
  /** A key is here while one of its items is out; the array holds those waiting behind it. */
  readonly #waiting = new Map<string, T[]>();
  #size = 0;

  /** True when `item` may go now (no item of its key is out); otherwise it waits its turn. */
  offer(key: string, item: T): boolean {
    const queue = this.#waiting.get(key);
    if (queue === undefined) {
      this.#waiting.set(key, []);
      return true;
    }
    queue.push(item);
    this.#size++;
    return false;
  }

  /** The item of `key` that goes next, now that the one out is finished; undefined when none waits. */
  done(key: string): T | undefined {
    const queue = this.#waiting.get(key);
    const next = queue?.shift();
    if (next === undefined) {
      this.#waiting.delete(key);
      return undefined;
    }
    this.#size--;
    return next;
  }

  /** Items waiting behind another of their key (not those out). */
  get waiting(): number {
    return this.#size;
  }

  /** Keys with an item out. */
  get activeKeys(): number {
    return this.#waiting.size;
  }

  clear(): void {
    this.#waiting.clear();
    this.#size = 0;
  }
}

/**
 * The key an event is ordered by: the attribute's value as text. Events without the attribute
 * share one key (the empty one), so they are ordered among themselves rather than not at all.
 */
export function orderingKeyOf(attributes: Readonly<Record<string, unknown>>, attribute: string): string {
  const value = attributeOf(attributes, attribute);
  return value === undefined || value === null ? '' : `=${String(value)}`;
}
