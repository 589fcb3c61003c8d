/** Opens the engine a store location names: its event log and the delivery store that lives beside it. */
import type { Logger } from 'pino';
import { SqliteEventLog } from './broker/embedded/sqlite-event-log.ts';
import { storeFileProblem } from './broker/embedded/store-file.ts';
import type { EventLog } from './broker/event-log.ts';
import type { StoreLocation } from './broker/store-url.ts';
import type { DeliveryStore } from './dispatcher/delivery-store.ts';
import { SqliteDeliveryStore } from './dispatcher/embedded/sqlite-delivery-store.ts';
import { SwitchyardError } from './errors.ts';
import { InProcessPingScheduler } from '../sources/ping/in-process-ping-scheduler.ts';
import type { PingSchedulerFactory } from '../sources/ping/ping-scheduler.ts';

export interface EngineLimits {
  readonly maxPendingEvents?: number | undefined;
  /** Where an engine reports what happens to the store itself (Redis losing its data, say). */
  readonly logger?: Logger | undefined;
}

export interface Stores {
  readonly log: EventLog;
  readonly deliveryStore: DeliveryStore;
  /** How this engine fires PingSources. */
  readonly pingScheduler: PingSchedulerFactory;
}

export async function openStores(location: StoreLocation, limits: EngineLimits = {}): Promise<Stores> {
  if (location.engine === 'redis') {
    // Loaded only for this engine: ioredis and BullMQ add about 25 MB to a process that does not use them.
    const { openRedisStores } = await import('./open-redis-stores.ts');
    return openRedisStores(location, limits);
  }
  const problem = storeFileProblem(location.path);
  if (problem !== undefined) throw new SwitchyardError('SWY_STORE_OPEN_FAILED', `cannot open the store: ${problem}`);
  try {
    const log = await SqliteEventLog.open({ path: location.path, synchronous: location.synchronous, maxPendingEvents: limits.maxPendingEvents, logger: limits.logger });
    return { log, deliveryStore: new SqliteDeliveryStore(log), pingScheduler: (sources, parts) => new InProcessPingScheduler(sources, parts) };
  } catch (error) {
    throw new SwitchyardError('SWY_STORE_OPEN_FAILED', `cannot open the store at ${location.path}: ${(error as Error).message}`, undefined, { cause: error });
  }
}
