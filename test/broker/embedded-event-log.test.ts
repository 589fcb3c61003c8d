import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { SqliteEventLog } from '../../services/broker/embedded/sqlite-event-log.ts';
import { tempDir } from '../support/temp-dir.ts';
import { runEventLogSuite } from './event-log.contract.ts';

runEventLogSuite('embedded (SQLite)', async () => {
  const dir = tempDir();
  const path = join(dir.path, 'store.db');
  return {
    open: () => SqliteEventLog.open({ path }),
    cleanup: async () => dir.remove(),
  };
});

describe('embedded tail cache', () => {
  it('a cursor crossing from rows on disk to entries in memory sees every entry once, in order', async () => {
    const dir = tempDir();
    const log = await SqliteEventLog.open({ path: join(dir.path, 'store.db'), tailEntries: 3 });
    try {
      await log.registerBrokers(['ns/a', 'ns/b']);
      await log.openCursor({ name: 'c', broker: 'ns/a' });
      for (let i = 0; i < 10; i++) {
        await log.append('ns/a', [{ attributes: { specversion: '1.0', id: `a${i}`, source: '/s', type: 't' } }]);
        await log.append('ns/b', [{ attributes: { specversion: '1.0', id: `b${i}`, source: '/s', type: 't' } }]);
      }
      const seen: unknown[] = [];
      for (let round = 0; round < 10; round++) seen.push(...(await log.read('c', 2)).map((e) => e.event.attributes['id']));
      expect(seen).toEqual(Array.from({ length: 10 }, (_, i) => `a${i}`));
    } finally {
      await log.close();
      dir.remove();
    }
  });
});
