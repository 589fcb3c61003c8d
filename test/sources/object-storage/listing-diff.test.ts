import { describe, expect, it } from 'vitest';
import { compareKeys, diffListing, type ListingChange, type ObjectSummary } from '../../../sources/object-storage/listing-diff.ts';

const object = (key: string, eTag = 'e1'): ObjectSummary => ({ key, eTag, size: 1, lastModified: 0 });
const changes = async (listing: Iterable<ObjectSummary> | AsyncIterable<ObjectSummary>, snapshot: Iterable<ObjectSummary>) => {
  const out: string[] = [];
  for await (const change of diffListing(listing, snapshot)) out.push(describe1(change));
  return out;
};
const describe1 = (change: ListingChange) => `${change.kind}${change.kind === 'created' && change.overwrite ? ' (overwrite)' : ''} ${change.object.key}`;

describe('listing against snapshot', () => {
  it('new keys are created, changed eTags created again, vanished keys removed, unchanged ones nothing', async () => {
    const snapshot = [object('a'), object('b'), object('d', 'old'), object('f')];
    const listing = [object('a'), object('c'), object('d', 'new'), object('e')];
    expect(await changes(listing, snapshot)).toEqual(['removed b', 'created c', 'created (overwrite) d', 'created e', 'removed f']);
  });

  it('an empty snapshot makes every key created; an empty listing every key removed', async () => {
    expect(await changes([object('a'), object('b')], [])).toEqual(['created a', 'created b']);
    expect(await changes([], [object('a'), object('b')])).toEqual(['removed a', 'removed b']);
  });

  it('streams: 100,000 keys listed page by page are diffed without the listing held (only changes come out)', async () => {
    const keys = Array.from({ length: 100_000 }, (_, i) => `k${String(i).padStart(6, '0')}`);
    async function* pages(): AsyncGenerator<ObjectSummary> {
      for (let from = 0; from < keys.length; from += 1000) {
        await new Promise((resolve) => setImmediate(resolve));
        for (const key of keys.slice(from, from + 1000)) yield object(key, key === 'k050000' ? 'changed' : 'e1');
      }
    }
    const snapshot = keys.filter((key) => key !== 'k099999').map((key) => object(key));
    expect(await changes(pages(), snapshot)).toEqual(['created (overwrite) k050000', 'created k099999']);
  });

  it('keys compare in UTF-8 byte order, as S3 lists them (a character above U+FFFF after U+E000-U+FFFF)', () => {
    const keys = ['😀', '\uffee', 'b', 'a', 'ab', 'é'];
    expect([...keys].sort(compareKeys)).toEqual([...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))));
    expect(compareKeys('\uffee', '😀')).toBeLessThan(0);
    expect('\uffee' < '😀').toBe(false);
  });

  it('a side out of key order is an error naming the keys, not a diff of every key', async () => {
    await expect(changes([object('b'), object('a')], [])).rejects.toThrow('the listing is not in key order: "a" came after "b"');
    await expect(changes([], [object('a'), object('a')])).rejects.toThrow('the snapshot is not in key order: "a" came after "a"');
  });
});

