import { afterAll, beforeAll } from 'vitest';
import { openStores } from '../../services/open-stores.ts';
import { parseStoreUrl } from '../../services/broker/store-url.ts';
import { type TestRedis, startRedis } from '../support/redis-server.ts';
import { runDeliveryStoreSuite } from './delivery-store.contract.ts';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => redis.stop());

runDeliveryStoreSuite('Redis (BullMQ retries)', async () => {
  const store = redis.storeUrl({ consumer: 'conformance' });
  return {
    async open() {
      const { log, deliveryStore } = await openStores(parseStoreUrl(store));
      return {
        store: deliveryStore,
        close: async () => {
          await deliveryStore.close();
          await log.close();
        },
      };
    },
    cleanup: async () => undefined,
  };
});
