import { join } from 'node:path';
import { SqliteEventLog } from '../../services/broker/embedded/sqlite-event-log.ts';
import { SqliteDeliveryStore } from '../../services/dispatcher/embedded/sqlite-delivery-store.ts';
import { tempDir } from '../support/temp-dir.ts';
import { runDeliveryStoreSuite } from './delivery-store.contract.ts';

runDeliveryStoreSuite('embedded (SQLite)', async () => {
  const dir = tempDir();
  const path = join(dir.path, 'store.db');
  return {
    async open() {
      const log = await SqliteEventLog.open({ path });
      return { store: new SqliteDeliveryStore(log), close: () => log.close() };
    },
    cleanup: async () => dir.remove(),
  };
});
