import type { LogEntry } from '../event-log.ts';

/** An entry of the tail, with its CloudEvents `type` at hand (the index is by type; committed-entry.ts). */
export interface TailEntry extends LogEntry {
  readonly type: string;
}

/** Entries of one type, oldest first, from `head` on. */
interface TypeRun {
  entries: TailEntry[];
  head: number;
}

/** Compacting an array only once its dead head is large and the larger half keeps copies rare. */
const COMPACT_AFTER = 4096;

/** Past this many types with evicted entries, the per-type record restarts from a common floor. */
const MAX_TRACKED_TYPES = 4096;

/** The offsets open cursors have been handed up to: what is at or below them is not read again. */
export interface TailNeeds {
  /** The lowest position of the cursors that read every type (Infinity: none). */
  readonly allTypes: number;
  /** Per type, the lowest position of the cursors that read only that type. */
  readonly byType: ReadonlyMap<string, number>;
}

/**
 * The newest committed entries of one broker, in offset order, up to a bound, with an index by
 * CloudEvents `type`. `completeAfter` is the offset after which every entry of the broker is here;
 * a cursor behind it reads from SQLite. A cursor that reads one type only needs every entry of
 * that type to be here: `#evictedOfType` keeps, per type, the newest offset that left.
 *
 * Entries leave as soon as no open cursor will read them (`release`), not only at the bound: an
 * entry kept for the bound's 10,000 events outlives young-generation collections and is promoted,
 * and at 150,000 events/s that garbage added ~22 MB to the old generation's peak (120 against 98
 * MB) with no reader at all (docs/benchmarks.md).
 */
export class TailCache {
  #entries: TailEntry[] = [];
  #head = 0;
  #completeAfter: number;
  #newest: number;
  readonly #byType = new Map<string, TypeRun>();
  readonly #evictedOfType = new Map<string, number>();
  /** Offsets at or below it may have left for any type (the per-type record starts above it). */
  #typeFloor: number;
  #changesSinceRelease = 0;

  constructor(
    completeAfter: number,
    private readonly limit: number,
  ) {
    this.#completeAfter = completeAfter;
    this.#newest = completeAfter;
    this.#typeFloor = completeAfter;
  }

  /** Entries pushed or handed out since the last `release`: what may let entries go. */
  get changesSinceRelease(): number {
    return this.#changesSinceRelease;
  }

  push(entry: TailEntry): void {
    this.#entries.push(entry);
    this.#newest = Number(entry.offset);
    const type = entry.type;
    let run = this.#byType.get(type);
    if (run === undefined) {
      run = { entries: [], head: 0 };
      this.#byType.set(type, run);
    }
    run.entries.push(entry);
    this.#changesSinceRelease++;
    while (this.#entries.length - this.#head > this.limit) this.#evictOldest();
    this.#compact();
  }

  /** Lets the oldest entries go, up to the first one that an open cursor may still read. */
  release(needs: TailNeeds): void {
    this.#changesSinceRelease = 0;
    while (this.#head < this.#entries.length) {
      const oldest = this.#entries[this.#head] as TailEntry;
      const offset = Number(oldest.offset);
      if (offset > needs.allTypes || offset > (needs.byType.get(oldest.type) ?? Number.POSITIVE_INFINITY)) break;
      this.#evictOldest();
    }
    this.#compact();
  }

  /** Up to `max` entries after `offset`, or undefined when the cache cannot answer for that offset. */
  after(offset: number, max: number): TailEntry[] | undefined {
    if (offset < this.#completeAfter) return undefined;
    const from = firstAfter(this.#entries, this.#head, offset);
    const entries = this.#entries.slice(from, from + max);
    this.#changesSinceRelease += entries.length;
    return entries;
  }

  /**
   * Up to `max` entries of `type` after `offset`, and `through`: the offset up to which every entry
   * of another type has been passed over. Undefined when the cache cannot answer for that offset.
   */
  afterOfType(offset: number, max: number, type: string): { entries: TailEntry[]; through: number } | undefined {
    if (offset < this.#typeFloor || offset < (this.#evictedOfType.get(type) ?? 0)) return undefined;
    const run = this.#byType.get(type);
    if (run === undefined) return { entries: [], through: Math.max(offset, this.#newest) };
    const from = firstAfter(run.entries, run.head, offset);
    const entries = run.entries.slice(from, from + max);
    const last = entries[entries.length - 1];
    const through = entries.length === max && last !== undefined ? Number(last.offset) : Math.max(offset, this.#newest);
    this.#changesSinceRelease += entries.length;
    return { entries, through };
  }

  #evictOldest(): void {
    const oldest = this.#entries[this.#head] as TailEntry;
    const offset = Number(oldest.offset);
    this.#completeAfter = offset;
    this.#head++;
    const type = oldest.type;
    if (this.#evictedOfType.size >= MAX_TRACKED_TYPES && !this.#evictedOfType.has(type)) {
      this.#evictedOfType.clear();
      this.#typeFloor = offset;
    }
    this.#evictedOfType.set(type, offset);
    const run = this.#byType.get(type) as TypeRun;
    run.head++;
    if (run.head === run.entries.length) this.#byType.delete(type);
    else if (run.head > COMPACT_AFTER && run.head * 2 > run.entries.length) {
      run.entries = run.entries.slice(run.head);
      run.head = 0;
    }
  }

  #compact(): void {
    if (this.#head === this.#entries.length) {
      this.#entries = [];
      this.#head = 0;
    } else if (this.#head > COMPACT_AFTER && this.#head * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head);
      this.#head = 0;
    }
  }
}

/** Index of the first entry after `offset` in `entries` (offset order), searching from `from`. */
function firstAfter(entries: readonly TailEntry[], from: number, offset: number): number {
  let low = from;
  let high = entries.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (Number((entries[mid] as TailEntry).offset) <= offset) low = mid + 1;
    else high = mid;
  }
  return low;
}
