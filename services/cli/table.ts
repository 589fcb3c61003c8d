/**
 * Aligned table output: each column as wide as its widest cell so far, two spaces apart, the last
 * column unpadded. Rows may come page by page (`switchyard events`): a column never narrows, so
 * a later page stays aligned with the header (a wider cell moves only what follows it).
 */
export class Table {
  readonly #widths: number[];
  #headerShown = false;

  constructor(private readonly header: readonly string[]) {
    this.#widths = header.map((name) => name.length);
  }

  /** The lines for these rows, preceded by the header the first time. */
  lines(rows: ReadonlyArray<readonly string[]>): string[] {
    for (const row of rows) row.forEach((cell, i) => (this.#widths[i] = Math.max(this.#widths[i] ?? 0, cell.length)));
    const out = this.#headerShown ? [] : [this.#format(this.header)];
    this.#headerShown = true;
    for (const row of rows) out.push(this.#format(row));
    return out;
  }

  #format(row: readonly string[]): string {
    return row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(this.#widths[i] ?? 0))).join('  ');
  }
}
