/**
 * Retention on a broker's stream: removes entries older than the age cut and beyond the count,
 * but never one that a consumer group has not acknowledged: the cut stops at the oldest pending
 * entry, or after the last entry delivered to the group, of the slowest group.
 */
import type { Redis } from 'ioredis';
import type { Retention } from '../event-log.ts';
import { fieldMap, send } from './redis-connection.ts';
import { compareStreamIds, nextStreamId } from './stream-id.ts';

/** Trimming by count reads the ids it cuts at; this bounds one round's read. */
const TRIM_COUNT_STEP = 10_000;

/** Resolves with the number of entries removed. */
export async function trimStream(client: Redis, key: string, retention: Retention): Promise<number> {
  const cuts: string[] = [];
  if (retention.maxAgeMs !== undefined) cuts.push(`${Math.max(0, Date.now() - retention.maxAgeMs)}-0`);
  if (retention.maxCount !== undefined) {
    const excess = (await client.xlen(key)) - retention.maxCount;
    if (excess > 0) {
      const oldest = (await send(client, 'XRANGE', [key, '-', '+', 'COUNT', String(Math.min(excess, TRIM_COUNT_STEP))])) as Array<[string, unknown]>;
      const last = oldest[oldest.length - 1];
      if (last !== undefined) cuts.push(nextStreamId(last[0]));
    }
  }
  if (cuts.length === 0) return 0;
  cuts.push(...(await groupFloors(client, key)));
  const cut = cuts.reduce((a, b) => (compareStreamIds(a, b) <= 0 ? a : b));
  return Number(await send(client, 'XTRIM', [key, 'MINID', cut]));
}

/** For each consumer group, the first id it still needs. */
async function groupFloors(client: Redis, key: string): Promise<string[]> {
  let groups: unknown[][];
  try {
    groups = (await send(client, 'XINFO', ['GROUPS', key])) as unknown[][];
  } catch (error) {
    if (/no such key/i.test((error as Error).message)) return [];
    throw error;
  }
  const floors: string[] = [];
  for (const fields of groups) {
    const info = fieldMap(fields);
    const name = String(info.get('name'));
    if (Number(info.get('pending')) > 0) {
      const summary = (await send(client, 'XPENDING', [key, name])) as [number, string | null];
      if (summary[1] !== null) floors.push(summary[1]);
    }
    floors.push(nextStreamId(String(info.get('last-delivered-id'))));
  }
  return floors;
}
