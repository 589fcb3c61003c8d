/**
 * Where a cursor stands when entries are handed out in order but finish in any order: `acked` is
 * the last offset before which everything is done, and it only moves over a contiguous run of
 * finished entries (as Kafka consumers commit offsets). Pure; offsets are numbers in log order.
 */
export class CursorPosition {
  /** Everything up to and including this offset is done. */
  acked: number;
  /** The last offset handed out. */
  delivered: number;
  #handedOut: number[] = [];
  #head = 0;
  readonly #done = new Set<number>();

  constructor(position: number) {
    this.acked = position;
    this.delivered = position;
  }

  handedOut(offsets: readonly number[]): void {
    for (const offset of offsets) this.#handedOut.push(offset);
    const last = offsets[offsets.length - 1];
    if (last !== undefined) this.delivered = last;
  }

  /**
   * The entries up to `offset` that were not handed out were skipped: they need no delivery and
   * count as done. True when `acked` moved.
   */
  skippedTo(offset: number): boolean {
    if (offset <= this.delivered) return false;
    this.delivered = offset;
    if (this.outstanding > 0) return false;
    this.acked = offset;
    return true;
  }

  /** Marks offsets finished; true when `acked` moved. */
  finished(offsets: readonly number[]): boolean {
    for (const offset of offsets) this.#done.add(offset);
    let advanced = false;
    while (this.#head < this.#handedOut.length) {
      const next = this.#handedOut[this.#head] as number;
      if (!this.#done.has(next)) break;
      this.#done.delete(next);
      this.acked = next;
      this.#head++;
      advanced = true;
    }
    // Everything handed out is done: what was skipped after it is done too.
    if (this.#head === this.#handedOut.length && this.acked < this.delivered) {
      this.acked = this.delivered;
      advanced = true;
    }
    // Compact now and then, so the array does not grow with every entry ever handed out.
    if (this.#head > 1024 && this.#head * 2 > this.#handedOut.length) {
      this.#handedOut = this.#handedOut.slice(this.#head);
      this.#head = 0;
    }
    return advanced;
  }

  /** Handed out and not yet folded into `acked`. */
  get outstanding(): number {
    return this.#handedOut.length - this.#head;
  }
}
