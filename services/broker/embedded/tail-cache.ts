import type { LogEntry } from '../event-log.ts';

/**
 * The newest committed entries of one broker, in offset order, up to a bound. `completeAfter` is
 * the offset after which every entry of the broker is here; a cursor behind it reads from SQLite.
 */
export class TailCache {
  readonly #entries: LogEntry[] = [];
  #head = 0;
  #completeAfter: number;

  constructor(
    completeAfter: number,
    private readonly limit: number,
  ) {
    this.#completeAfter = completeAfter;
  }

  push(entry: LogEntry): void {
    this.#entries.push(entry);
    while (this.#entries.length - this.#head > this.limit) {
      this.#completeAfter = Number((this.#entries[this.#head] as LogEntry).offset);
      this.#head++;
    }
    if (this.#head > 4096 && this.#head * 2 > this.#entries.length) {
      this.#entries.splice(0, this.#head);
      this.#head = 0;
    }
  }

  /** Up to `max` entries after `offset`, or undefined when the cache cannot answer for that offset. */
  after(offset: number, max: number): LogEntry[] | undefined {
    if (offset < this.#completeAfter) return undefined;
    let low = this.#head;
    let high = this.#entries.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (Number((this.#entries[mid] as LogEntry).offset) <= offset) low = mid + 1;
      else high = mid;
    }
    return this.#entries.slice(low, low + max);
  }
}
