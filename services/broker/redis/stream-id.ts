/** Redis stream ids (`<ms>-<seq>`): order, successor and time. Pure. */

function parts(id: string): [bigint, bigint] {
  const dash = id.indexOf('-');
  return dash < 0 ? [BigInt(id), 0n] : [BigInt(id.slice(0, dash)), BigInt(id.slice(dash + 1))];
}

export function compareStreamIds(a: string, b: string): number {
  const [am, as] = parts(a);
  const [bm, bs] = parts(b);
  if (am !== bm) return am < bm ? -1 : 1;
  return as === bs ? 0 : as < bs ? -1 : 1;
}

/** The smallest id after `id`. */
export function nextStreamId(id: string): string {
  const [ms, seq] = parts(id);
  return seq === 18446744073709551615n ? `${ms + 1n}-0` : `${ms}-${seq + 1n}`;
}

/** When Redis added the entry (its id's milliseconds). */
export function streamIdTime(id: string): number {
  return Number(parts(id)[0]);
}
