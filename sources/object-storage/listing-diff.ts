/**
 * A bucket listing against the snapshot of the previous one, as a merge of two sorted streams:
 * a key only in the listing is created, one whose eTag changed is created again (an overwrite),
 * one only in the snapshot was removed. Both sides arrive in key order — ListObjectsV2 lists in
 * UTF-8 binary order, and the snapshot is read back in the same order — so memory holds one entry
 * of each side, not the bucket: issue #16 asks that 1,000,000 keys need not be 1,000,000 objects.
 *
 * Pure: iterables in, changes out. Where the snapshot lives, and when it moves on (only once the
 * changes' events are stored), is the poller's.
 */

/** What a listing says of an object, and what the snapshot keeps of it. */
export interface ObjectSummary {
  readonly key: string;
  readonly eTag: string;
  readonly size: number;
  /** ms since the epoch. */
  readonly lastModified: number;
}

export type ListingChange =
  | { readonly kind: 'created'; readonly object: ObjectSummary; readonly overwrite: boolean }
  | { readonly kind: 'removed'; readonly object: ObjectSummary };

/**
 * Keys in UTF-8 byte order, the order S3 lists them in. JavaScript's `<` compares UTF-16 code
 * units, which puts a character above U+FFFF (a surrogate pair, 0xD800-0xDFFF) before U+E000-U+FFFF;
 * UTF-8 puts it after. Comparing code points gives UTF-8's order.
 */
export function compareKeys(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Only where surrogates meet other code units does the order differ from code units'.
    const xSurrogate = x >= 0xd800 && x <= 0xdfff;
    const ySurrogate = y >= 0xd800 && y <= 0xdfff;
    if (xSurrogate === ySurrogate) return x - y;
    return xSurrogate ? 1 : -1;
  }
  return a.length - b.length;
}

/**
 * Yields the changes from `snapshot` to `listing`. Throws when either side is out of order (a
 * listing that is not sorted would have every key reported as created and removed).
 */
export async function* diffListing(listing: AsyncIterable<ObjectSummary> | Iterable<ObjectSummary>, snapshot: AsyncIterable<ObjectSummary> | Iterable<ObjectSummary>): AsyncGenerator<ListingChange> {
  const now = ordered(listing, 'the listing');
  const before = ordered(snapshot, 'the snapshot');
  let current = await now.next();
  let previous = await before.next();
  while (!current.done || !previous.done) {
    const order = current.done ? 1 : previous.done ? -1 : compareKeys(current.value.key, previous.value.key);
    if (order < 0 && !current.done) {
      yield { kind: 'created', object: current.value, overwrite: false };
      current = await now.next();
    } else if (order > 0 && !previous.done) {
      yield { kind: 'removed', object: previous.value };
      previous = await before.next();
    } else if (!current.done && !previous.done) {
      if (current.value.eTag !== previous.value.eTag) yield { kind: 'created', object: current.value, overwrite: true };
      current = await now.next();
      previous = await before.next();
    }
  }
}

async function* ordered(objects: AsyncIterable<ObjectSummary> | Iterable<ObjectSummary>, what: string): AsyncGenerator<ObjectSummary> {
  let last: string | undefined;
  for await (const object of objects) {
    if (last !== undefined && compareKeys(last, object.key) >= 0) throw new Error(`${what} is not in key order: ${JSON.stringify(object.key)} came after ${JSON.stringify(last)}`);
    last = object.key;
    yield object;
  }
}
