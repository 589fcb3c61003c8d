/** Opens the engine a store location names: its event log and the delivery store that lives beside it. */
import { SqliteEventLog } from './broker/embedded/sqlite-event-log.ts';
import type { EventLog } from './broker/event-log.ts';
import { bullConnectionOptions } from './broker/redis/redis-connection.ts';
import { RedisEventLog } from './broker/redis/redis-event-log.ts';
import { RedisKeys } from './broker/redis/redis-keys.ts';
import type { RedisLocation, StoreLocation } from './broker/store-url.ts';
import type { DeliveryStore } from './dispatcher/delivery-store.ts';
import { SqliteDeliveryStore } from './dispatcher/embedded/sqlite-delivery-store.ts';
import { BullRetries } from './dispatcher/redis/bullmq-retries.ts';
import { RedisDeliveryStore } from './dispatcher/redis/redis-delivery-store.ts';
import { SwitchyardError } from './errors.ts';

export interface EngineLimits {
  readonly maxPendingEvents?: number | undefined;
}

export interface Stores {
  readonly log: EventLog;
  readonly deliveryStore: DeliveryStore;
}

export async function openStores(location: StoreLocation, limits: EngineLimits = {}): Promise<Stores> {
  if (location.engine === 'redis') return openRedis(location, limits);
  try {
    const log = await SqliteEventLog.open({ path: location.path, synchronous: location.synchronous, maxPendingEvents: limits.maxPendingEvents });
    return { log, deliveryStore: new SqliteDeliveryStore(log) };
  } catch (error) {
    throw new SwitchyardError('SWY_STORE_OPEN_FAILED', `cannot open the store at ${location.path}: ${(error as Error).message}`, undefined, { cause: error });
  }
}

async function openRedis(location: RedisLocation, limits: EngineLimits): Promise<Stores> {
  const keys = new RedisKeys(location.prefix);
  let log: RedisEventLog;
  try {
    log = await RedisEventLog.open({ location, keys, maxPendingEvents: limits.maxPendingEvents });
  } catch (error) {
    throw new SwitchyardError('SWY_STORE_OPEN_FAILED', `cannot connect to Redis at ${location.display}: ${(error as Error).message}`, undefined, { cause: error });
  }
  const retries = new BullRetries({ connection: bullConnectionOptions(location), prefix: keys.bullPrefix, queueName: keys.retryQueue, lockDurationMs: location.claimIdleMs });
  return { log, deliveryStore: new RedisDeliveryStore(log.connection, keys, retries) };
}
