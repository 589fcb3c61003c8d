import type { LogEntry } from '../event-log.ts';

/** Entries of one type, oldest first, from `head` on. */
interface TypeRun {
  entries: LogEntry[];
  head: number;
}

/** Compacting an array only once its dead head is large and the larger half keeps copies rare. */
const COMPACT_AFTER = 4096;

/**
 * The newest committed entries of one broker, in offset order, up to a bound, with an index by
 * CloudEvents `type`. `completeAfter` is the offset after which every entry of the broker is here;
 * a cursor behind it reads from SQLite.
 */
export class TailCache {
  #entries: LogEntry[] = [];
  #head = 0;
  #completeAfter: number;
  #newest: number;
  readonly #byType = new Map<string, TypeRun>();

  constructor(
    completeAfter: number,
    private readonly limit: number,
  ) {
    this.#completeAfter = completeAfter;
    this.#newest = completeAfter;
  }

  push(entry: LogEntry): void {
    this.#entries.push(entry);
    this.#newest = Number(entry.offset);
    const type = typeOf(entry);
    let run = this.#byType.get(type);
    if (run === undefined) {
      run = { entries: [], head: 0 };
      this.#byType.set(type, run);
    }
    run.entries.push(entry);
    while (this.#entries.length - this.#head > this.limit) this.#evictOldest();
    if (this.#head > COMPACT_AFTER && this.#head * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head);
      this.#head = 0;
    }
  }

  /** Up to `max` entries after `offset`, or undefined when the cache cannot answer for that offset. */
  after(offset: number, max: number): LogEntry[] | undefined {
    if (offset < this.#completeAfter) return undefined;
    const from = firstAfter(this.#entries, this.#head, offset);
    return this.#entries.slice(from, from + max);
  }

  /**
   * Up to `max` entries of `type` after `offset`, and `through`: the offset up to which every entry
   * of another type has been passed over. Undefined when the cache cannot answer for that offset.
   */
  afterOfType(offset: number, max: number, type: string): { entries: LogEntry[]; through: number } | undefined {
    if (offset < this.#completeAfter) return undefined;
    const run = this.#byType.get(type);
    if (run === undefined) return { entries: [], through: Math.max(offset, this.#newest) };
    const from = firstAfter(run.entries, run.head, offset);
    const entries = run.entries.slice(from, from + max);
    const last = entries[entries.length - 1];
    const through = entries.length === max && last !== undefined ? Number(last.offset) : Math.max(offset, this.#newest);
    return { entries, through };
  }

  #evictOldest(): void {
    const oldest = this.#entries[this.#head] as LogEntry;
    this.#completeAfter = Number(oldest.offset);
    this.#head++;
    const type = typeOf(oldest);
    const run = this.#byType.get(type) as TypeRun;
    run.head++;
    if (run.head === run.entries.length) this.#byType.delete(type);
    else if (run.head > COMPACT_AFTER && run.head * 2 > run.entries.length) {
      run.entries = run.entries.slice(run.head);
      run.head = 0;
    }
  }
}

function typeOf(entry: LogEntry): string {
  return String(entry.event.attributes['type']);
}

/** Index of the first entry after `offset` in `entries` (offset order), searching from `from`. */
function firstAfter(entries: readonly LogEntry[], from: number, offset: number): number {
  let low = from;
  let high = entries.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (Number((entries[mid] as LogEntry).offset) <= offset) low = mid + 1;
    else high = mid;
  }
  return low;
}
