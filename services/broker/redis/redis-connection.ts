/** How the Redis engine connects: the options every connection shares, and the reply shapes it reads. */
import { Command, Redis, type RedisOptions } from 'ioredis';
import type { RedisLocation } from '../store-url.ts';

/** Where Redis is and how to log in: what every connection shares, ours and BullMQ's. */
function serverOptions(location: RedisLocation): Record<string, unknown> {
  const options: Record<string, unknown> = { host: location.host, port: location.port, db: location.db };
  if (location.username !== undefined) options['username'] = location.username;
  if (location.password !== undefined) options['password'] = location.password;
  if (location.tls) options['tls'] = {};
  return options;
}

/** Options for a connection of ours. */
function connectionOptions(location: RedisLocation): RedisOptions {
  return {
    ...serverOptions(location),
    protocol: 2,
    connectionName: `switchyard:${location.consumer}`,
    // While Redis is away, commands fail at once (the ingress answers 503) instead of queueing
    // in memory without bound; the client keeps reconnecting by itself.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    retryStrategy: (times) => Math.min(50 * times, 1000),
    lazyConnect: true,
  };
}

/**
 * Options for the connections BullMQ opens itself (it manages their retries and blocking reads;
 * a Worker requires `maxRetriesPerRequest: null`).
 */
export function bullConnectionOptions(location: RedisLocation): Record<string, unknown> {
  return { ...serverOptions(location), connectionName: `switchyard:${location.consumer}:bull` };
}

/** Opens a connection and waits until it is ready; rejects with Redis's or the socket's error. */
export async function openConnection(location: RedisLocation, extra: RedisOptions = {}): Promise<Redis> {
  const client = new Redis({ ...connectionOptions(location), ...extra });
  // Errors are reported through the commands that fail; without a listener ioredis would print
  // every reconnection attempt.
  let lastError: Error | undefined;
  client.on('error', (error: Error) => (lastError = error));
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    // connect() only says the connection closed; the error event said why (WRONGPASS, ECONNREFUSED…).
    throw lastError ?? error;
  }
  return client;
}

/** `XINFO` replies: a flat list of field names and values. */
export function fieldMap(fields: readonly unknown[]): Map<string, unknown> {
  const info = new Map<string, unknown>();
  for (let i = 0; i + 1 < fields.length; i += 2) info.set(String(fields[i]), fields[i + 1]);
  return info;
}

/** A stream entry as Redis returns it: `[id, [field, value, …]]`, fields as Buffers. */
export type RawStreamEntry = [Buffer, Buffer[] | null];

export function isRawStreamEntries(value: unknown): value is RawStreamEntry[] {
  return Array.isArray(value) && value.every((entry) => Array.isArray(entry) && Buffer.isBuffer(entry[0]));
}

/** `XREAD`/`XREADGROUP` replies: `[[stream, entries], …]` or null when nothing came. */
export function streamsReply(value: unknown): Array<[string, RawStreamEntry[]]> {
  if (value === null) return [];
  if (!Array.isArray(value)) throw new Error(`unexpected reply from Redis: ${typeof value}`);
  return value.map((item: unknown) => {
    if (!Array.isArray(item) || !isRawStreamEntries(item[1])) throw new Error('unexpected stream reply from Redis');
    return [String(item[0]), item[1]];
  });
}

/**
 * Sends one command, replies as strings or (with `binary`) as Buffers. Not `call`/`callBuffer`:
 * with auto-pipelining on, ioredis 6 drops their command name.
 */
export function send(client: Redis, name: string, args: ReadonlyArray<string | Buffer | number>, binary = false): Promise<unknown> {
  return client.sendCommand(new Command(name, [...args], { replyEncoding: binary ? null : 'utf8' })) as Promise<unknown>;
}
