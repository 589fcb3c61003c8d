/** The consumer groups behind the Redis log's cursors (one group per cursor, one consumer per process). */
import type { Redis } from 'ioredis';
import { fieldMap, send } from './redis-connection.ts';

/** Deletes consumer ARGV[2] of group ARGV[1] if it still has nothing pending and is idle over ARGV[3] ms. */
const FORGET_CONSUMER = `
for _, fields in ipairs(redis.call('XINFO', 'CONSUMERS', KEYS[1], ARGV[1])) do
  local info = {}
  for i = 1, #fields, 2 do info[fields[i]] = fields[i + 1] end
  if info['name'] == ARGV[2] and info['pending'] == 0 and info['idle'] > tonumber(ARGV[3]) then
    return redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], ARGV[2])
  end
end
return -1`;

export function isNoGroup(error: unknown): boolean {
  return String((error as Error | undefined)?.message).startsWith('NOGROUP');
}

/** Creates group `group` on stream `key` (and the stream) from `from`, unless it exists. */
export async function createGroup(redis: Redis, key: string, group: string, from: '0' | '$'): Promise<void> {
  try {
    await send(redis, 'XGROUP', ['CREATE', key, group, from, 'MKSTREAM']);
  } catch (error) {
    // Another process (or an earlier open) created it.
    if (!String((error as Error).message).startsWith('BUSYGROUP')) throw error;
  }
}

/**
 * Every process start under a new name (HOSTNAME:PID) adds a consumer to each group; once a gone
 * one's entries were all claimed, it is removed. Only consumers with nothing pending and idle far
 * longer than a live reader is (live ones read several times a second) are removed, and the
 * check is repeated in the same Lua script as the removal: XGROUP DELCONSUMER drops a consumer's
 * pending entries with it, so a consumer that read something meanwhile must stay.
 */
export async function forgetGoneConsumers(redis: Redis, key: string, group: string, self: string, goneMs: number): Promise<void> {
  const consumers = (await send(redis, 'XINFO', ['CONSUMERS', key, group])) as unknown[][];
  for (const fields of consumers) {
    const info = fieldMap(fields);
    const name = String(info.get('name'));
    if (name === self || Number(info.get('pending')) !== 0 || Number(info.get('idle')) <= goneMs) continue;
    // Checked again inside Redis, atomically: the consumer may have read something since.
    await send(redis, 'EVAL', [FORGET_CONSUMER, '1', key, group, name, String(goneMs)]);
  }
}
