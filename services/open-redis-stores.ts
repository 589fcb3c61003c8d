/** Opens the Redis engine: the event log on Redis Streams, the delivery store beside it (BullMQ retries, dead letters) and PingSources on BullMQ job schedulers. */
import { bullConnectionOptions } from './broker/redis/redis-connection.ts';
import { RedisEventLog } from './broker/redis/redis-event-log.ts';
import { RedisKeys } from './broker/redis/redis-keys.ts';
import type { RedisLocation } from './broker/store-url.ts';
import { BullRetries } from './dispatcher/redis/bullmq-retries.ts';
import { RedisDeliveryStore } from './dispatcher/redis/redis-delivery-store.ts';
import { SwitchyardError } from './errors.ts';
import { BullPingScheduler } from '../sources/ping/bullmq-ping-scheduler.ts';
import type { EngineLimits, Stores } from './open-stores.ts';

export async function openRedisStores(location: RedisLocation, limits: EngineLimits): Promise<Stores> {
  const keys = new RedisKeys(location.prefix);
  let log: RedisEventLog;
  try {
    log = await RedisEventLog.open({ location, keys, maxPendingEvents: limits.maxPendingEvents, logger: limits.logger });
  } catch (error) {
    throw new SwitchyardError('SWY_STORE_OPEN_FAILED', `cannot connect to Redis at ${location.display}: ${(error as Error).message}`, undefined, { cause: error });
  }
  const retries = new BullRetries({ connection: bullConnectionOptions(location), prefix: keys.bullPrefix, queueName: keys.retryQueue, lockDurationMs: location.claimIdleMs });
  return {
    log,
    deliveryStore: new RedisDeliveryStore(log.connection, keys, retries),
    pingScheduler: (sources, parts) => {
      const scheduler = new BullPingScheduler(sources, parts, { connection: bullConnectionOptions(location), prefix: keys.bullPrefix, queueName: keys.pingQueue });
      // The job schedulers were in the Redis that lost its data: without this the sources stop firing.
      log.onStoreLost(() => scheduler.restoreSchedulers());
      return scheduler;
    },
  };
}
