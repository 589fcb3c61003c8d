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

describe('embedded tail release', () => {
  it('cursors reading at different paces, one of them for a single type, each see their entries once, in order', async () => {
    const dir = tempDir();
    const log = await SqliteEventLog.open({ path: join(dir.path, 'store.db') });
    try {
      await log.registerBrokers(['ns/a']);
      await log.openCursor({ name: 'slow', broker: 'ns/a' });
      await log.openCursor({ name: 'fast', broker: 'ns/a' });
      await log.openCursor({ name: 'odd', broker: 'ns/a', onlyType: 'odd' });
      const seen: Record<string, string[]> = { slow: [], fast: [], odd: [] };
      const expected: Record<string, string[]> = { slow: [], fast: [], odd: [] };
      // 2,000 events in commits of 20: the tail is released every 256 entries, many times over.
      for (let batch = 0; batch < 100; batch++) {
        const events = Array.from({ length: 20 }, (_, i) => {
          const n = batch * 20 + i;
          return { attributes: { specversion: '1.0', id: String(n), source: '/s', type: n % 2 ? 'odd' : 'even' } };
        });
        await log.append('ns/a', events);
        for (const event of events) {
          const id = event.attributes.id;
          expected['slow']?.push(id);
          expected['fast']?.push(id);
          if (event.attributes.type === 'odd') expected['odd']?.push(id);
        }
        seen['fast']?.push(...(await log.read('fast', 100)).map((e) => String(e.event.attributes['id'])));
        if (batch % 5 === 0) seen['odd']?.push(...(await log.read('odd', 15)).map((e) => String(e.event.attributes['id'])));
        if (batch % 3 === 0) seen['slow']?.push(...(await log.read('slow', 30)).map((e) => String(e.event.attributes['id'])));
      }
      for (const name of ['slow', 'odd']) {
        for (;;) {
          const more = await log.read(name, 500);
          if (more.length === 0) break;
          seen[name]?.push(...more.map((e) => String(e.event.attributes['id'])));
        }
      }
      expect(seen).toEqual(expected);
    } finally {
      await log.close();
      dir.remove();
    }
  });
});

describe('embedded cursors for one type', () => {
  const typed = (id: string, type: string) => ({ attributes: { specversion: '1.0', id, source: '/s', type } });

  it('pass over other types without handing them out, and do not hold back retention', async () => {
    const dir = tempDir();
    const log = await SqliteEventLog.open({ path: join(dir.path, 'store.db') });
    try {
      await log.registerBrokers(['ns/a']);
      await log.openCursor({ name: 'x', broker: 'ns/a', onlyType: 'x' });
      await log.append('ns/a', [typed('1', 'y'), typed('2', 'x'), typed('3', 'y'), typed('4', 'y')]);
      const read = await log.read('x', 10);
      expect(read.map((e) => e.event.attributes['id'])).toEqual(['2']);
      await log.ack('x', [read[0]?.offset as string]);
      // '3' and '4' were passed over: nothing holds them.
      expect(await log.trim('ns/a', { maxCount: 1 })).toBe(3);
      expect(await log.read('x', 10)).toEqual([]);
    } finally {
      await log.close();
      dir.remove();
    }
  });

  it('an idle cursor for one type keeps up with other types and, after a reopen, does not read them', async () => {
    const dir = tempDir();
    const path = join(dir.path, 'store.db');
    let log = await SqliteEventLog.open({ path });
    try {
      await log.registerBrokers(['ns/a']);
      await log.openCursor({ name: 'x', broker: 'ns/a', onlyType: 'x' });
      await log.append('ns/a', [typed('1', 'y'), typed('2', 'y')]);
      expect(await log.read('x', 10, 20)).toEqual([]);
      await log.close();
      log = await SqliteEventLog.open({ path });
      await log.registerBrokers(['ns/a']);
      await log.openCursor({ name: 'plain', broker: 'ns/a' });
      await log.openCursor({ name: 'x', broker: 'ns/a' });
      // Opened without a type this time: had the position not moved past '1' and '2', they would be read again.
      await log.append('ns/a', [typed('3', 'y')]);
      expect((await log.read('x', 10)).map((e) => e.event.attributes['id'])).toEqual(['3']);
    } finally {
      await log.close();
      dir.remove();
    }
  });
});
