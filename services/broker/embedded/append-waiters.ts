/**
 * Readers waiting for appends to a broker. A reader that only cares about one event type waits for
 * that type: with 1,000 triggers each filtering on its own type, an append wakes the one whose
 * type it is, not all 1,000.
 */
export class AppendWaiters {
  readonly #waiters = new Map<string, Set<() => void>>();

  /** Resolves on the next append to the broker (of `type`, when given), or after `ms`. */
  wait(brokerId: number, type: string | undefined, ms: number): Promise<void> {
    const key = waiterKey(brokerId, type);
    return new Promise((resolve) => {
      let set = this.#waiters.get(key);
      if (set === undefined) {
        set = new Set();
        this.#waiters.set(key, set);
      }
      const waiters = set;
      const done = () => {
        clearTimeout(timer);
        waiters.delete(done);
        if (waiters.size === 0 && this.#waiters.get(key) === waiters) this.#waiters.delete(key);
        resolve();
      };
      const timer = setTimeout(done, ms);
      waiters.add(done);
    });
  }

  /** Wakes the broker's readers and those waiting for one of the appended types. */
  notify(brokerId: number, types: Iterable<string>): void {
    if (this.#waiters.size === 0) return;
    this.#wake(waiterKey(brokerId, undefined));
    for (const type of types) this.#wake(waiterKey(brokerId, type));
  }

  #wake(key: string): void {
    const waiters = this.#waiters.get(key);
    if (waiters) for (const wake of [...waiters]) wake();
  }
}

function waiterKey(brokerId: number, type: string | undefined): string {
  return type === undefined ? String(brokerId) : `${brokerId}\u0000${type}`;
}
