/**
 * The event-log conformance suite: every engine runs it (DESIGN.md, "Backends"). A factory opens
 * an engine on storage that survives `close()`, so reopening checks what a restart keeps.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CloudEvent } from '../../services/cloudevents/cloud-event.ts';
import type { EventLog } from '../../services/broker/event-log.ts';
import { SwitchyardError } from '../../services/errors.ts';

export interface EventLogHarness {
  /** Opens an engine on this harness's storage (the same storage every time). */
  open(): Promise<EventLog>;
  /** Deletes the storage. */
  cleanup(): Promise<void>;
}

const BROKER = 'test/orders';
const OTHER = 'test/other';

function event(id: string, extra: Partial<CloudEvent> = {}): CloudEvent {
  return { attributes: { specversion: '1.0', id, source: '/conformance', type: 'com.example.test' }, ...extra };
}

const ids = (entries: ReadonlyArray<{ event: CloudEvent }>) => entries.map((e) => e.event.attributes['id']);

export function runEventLogSuite(engine: string, newHarness: () => Promise<EventLogHarness>): void {
  describe(`event-log contract: ${engine}`, () => {
    let harness: EventLogHarness;
    let log: EventLog;

    beforeEach(async () => {
      harness = await newHarness();
      log = await harness.open();
      await log.registerBrokers([BROKER, OTHER]);
    });
    afterEach(async () => {
      await log.close();
      await harness.cleanup();
    });

    async function reopen(): Promise<EventLog> {
      await log.close();
      log = await harness.open();
      await log.registerBrokers([BROKER, OTHER]);
      return log;
    }

    it('append resolves with increasing offsets and list reads them oldest first', async () => {
      const first = await log.append(BROKER, [event('a'), event('b')]);
      const second = await log.append(BROKER, [event('c')]);
      expect(first).toHaveLength(2);
      expect(ids(await log.list(BROKER))).toEqual(['a', 'b', 'c']);
      const offsets = (await log.list(BROKER)).map((e) => e.offset);
      expect(offsets).toEqual([...first, ...second]);
    });

    it('list with a limit keeps the newest, oldest first; with after it pages forward', async () => {
      await log.append(BROKER, ['a', 'b', 'c', 'd', 'e'].map((id) => event(id)));
      expect(ids(await log.list(BROKER, { limit: 2 }))).toEqual(['d', 'e']);
      const all = await log.list(BROKER);
      expect(ids(await log.list(BROKER, { after: all[1]?.offset, limit: 2 }))).toEqual(['c', 'd']);
    });

    it('keeps brokers apart', async () => {
      await log.append(BROKER, [event('mine')]);
      await log.append(OTHER, [event('theirs')]);
      expect(ids(await log.list(BROKER))).toEqual(['mine']);
      expect(ids(await log.list(OTHER))).toEqual(['theirs']);
    });

    it('refuses appends to a broker it does not know', async () => {
      await expect(log.append('test/unknown', [event('x')])).rejects.toSatisfy((e) => e instanceof SwitchyardError && e.code === 'SWY_BROKER_NOT_FOUND');
    });

    it('stores attributes, data bytes and the data encoding unchanged', async () => {
      const bytes = Buffer.from([0, 1, 2, 250, 255]);
      await log.append(BROKER, [
        event('bin', { data: bytes, dataEncoding: 'base64' }),
        { attributes: { ...event('ext').attributes, flag: true, count: -7, note: 'café' } },
      ]);
      const [bin, ext] = await log.list(BROKER);
      expect(Buffer.from(bin?.event.data ?? []).equals(bytes)).toBe(true);
      expect(bin?.event.dataEncoding).toBe('base64');
      expect(ext?.event.attributes).toMatchObject({ flag: true, count: -7, note: 'café' });
      expect(ext?.event.data).toBeUndefined();
    });

    it('keeps concurrent appends whole and in one order', async () => {
      const results = await Promise.all(Array.from({ length: 200 }, (_, i) => log.append(BROKER, [event(`c${i}`), event(`c${i}-b`)])));
      for (const offsets of results) expect(offsets).toHaveLength(2);
      const listed = await log.list(BROKER);
      expect(listed).toHaveLength(400);
      for (const [i, offsets] of results.entries()) {
        const at = listed.findIndex((e) => e.offset === offsets[0]);
        expect(ids(listed.slice(at, at + 2))).toEqual([`c${i}`, `c${i}-b`]);
      }
    });

    it('what was appended survives a reopen', async () => {
      await log.append(BROKER, [event('durable')]);
      await reopen();
      expect(ids(await log.list(BROKER))).toEqual(['durable']);
    });

    it('a new cursor starts at the end of the log', async () => {
      await log.append(BROKER, [event('before')]);
      await log.openCursor({ name: 'trigger/a', broker: BROKER });
      await log.append(BROKER, [event('after')]);
      expect(ids(await log.read('trigger/a', 10))).toEqual(['after']);
    });

    it('read hands out entries in order, up to max, and never twice in one run', async () => {
      await log.openCursor({ name: 'trigger/a', broker: BROKER });
      await log.append(BROKER, ['1', '2', '3', '4', '5'].map((id) => event(id)));
      expect(ids(await log.read('trigger/a', 2))).toEqual(['1', '2']);
      expect(ids(await log.read('trigger/a', 10))).toEqual(['3', '4', '5']);
      expect(await log.read('trigger/a', 10)).toEqual([]);
    });

    it('cursors are independent', async () => {
      await log.openCursor({ name: 'trigger/a', broker: BROKER });
      await log.openCursor({ name: 'trigger/b', broker: BROKER });
      await log.append(BROKER, [event('x')]);
      expect(ids(await log.read('trigger/a', 10))).toEqual(['x']);
      expect(ids(await log.read('trigger/b', 10))).toEqual(['x']);
    });

    it('after a reopen, reading resumes at the first entry not acknowledged (acks in any order)', async () => {
      await log.openCursor({ name: 'trigger/a', broker: BROKER });
      await log.append(BROKER, ['1', '2', '3', '4'].map((id) => event(id)));
      const read = await log.read('trigger/a', 4);
      await log.ack('trigger/a', [read[0]?.offset as string, read[2]?.offset as string, read[3]?.offset as string]);
      await reopen();
      await log.openCursor({ name: 'trigger/a', broker: BROKER });
      // An engine may hand out acknowledged entries after the first unacknowledged one again
      // (a position-based cursor does); never one before it, and never skip the unacknowledged.
      const again = ids(await log.read('trigger/a', 10));
      expect(again[0]).toBe('2');
      expect(again.every((id) => id === '2' || id === '3' || id === '4')).toBe(true);
    });

    it('an exclusive cursor hands out entries in log order; after a reopen the unacknowledged ones come first, oldest first', async () => {
      await log.openCursor({ name: 'trigger/x', broker: BROKER, exclusive: true });
      await log.append(BROKER, ['1', '2', '3', '4', '5'].map((id) => event(id)));
      const read = await log.read('trigger/x', 3);
      expect(ids(read)).toEqual(['1', '2', '3']);
      await log.ack('trigger/x', [read[0]?.offset as string, read[2]?.offset as string]);
      await reopen();
      await log.openCursor({ name: 'trigger/x', broker: BROKER, exclusive: true });
      const again: unknown[] = [];
      for (let i = 0; i < 10 && !again.includes('5'); i++) again.push(...ids(await log.read('trigger/x', 10)));
      // An acknowledged entry after the first unacknowledged one may come again (see above).
      expect(again.filter((id) => id !== '3')).toEqual(['2', '4', '5']);
    });

    it('backlog counts the entries of its broker the cursor has not acknowledged, read or not', async () => {
      await log.openCursor({ name: 'trigger/a', broker: BROKER });
      expect(await log.backlog('trigger/a')).toBe(0);
      await log.append(BROKER, ['1', '2', '3', '4'].map((id) => event(id)));
      await log.append(OTHER, [event('elsewhere')]);
      expect(await log.backlog('trigger/a')).toBe(4);
      const read = await log.read('trigger/a', 2);
      expect(await log.backlog('trigger/a')).toBe(4);
      await log.ack('trigger/a', read.map((e) => e.offset));
      expect(await log.backlog('trigger/a')).toBe(2);
      await reopen();
      await log.openCursor({ name: 'trigger/a', broker: BROKER });
      expect(await log.backlog('trigger/a')).toBe(2);
    });

    it('acknowledged entries are not read again after a reopen', async () => {
      await log.openCursor({ name: 'trigger/a', broker: BROKER });
      await log.append(BROKER, ['1', '2'].map((id) => event(id)));
      const read = await log.read('trigger/a', 10);
      await log.ack('trigger/a', read.map((e) => e.offset));
      await reopen();
      await log.openCursor({ name: 'trigger/a', broker: BROKER });
      await log.append(BROKER, [event('3')]);
      expect(ids(await log.read('trigger/a', 10))).toEqual(['3']);
    });

    it('read waits for an append up to waitMs', async () => {
      await log.openCursor({ name: 'trigger/a', broker: BROKER });
      const started = Date.now();
      const waiting = log.read('trigger/a', 10, 5000);
      setTimeout(() => void log.append(BROKER, [event('late')]), 50);
      expect(ids(await waiting)).toEqual(['late']);
      expect(Date.now() - started).toBeLessThan(4000);
      const empty = Date.now();
      expect(await log.read('trigger/a', 10, 100)).toEqual([]);
      expect(Date.now() - empty).toBeGreaterThanOrEqual(90);
    });

    it('a cursor for one type hands out every entry of that type, in order, once; the rest count as done', async () => {
      const typed = (id: string, type: string) => ({ attributes: { ...event(id).attributes, type } });
      await log.openCursor({ name: 'trigger/x', broker: BROKER, onlyType: 'com.example.x' });
      await log.append(BROKER, [typed('1', 'com.example.x'), typed('2', 'com.example.y'), typed('3', 'com.example.x'), typed('4', 'com.example.y')]);
      // An engine may skip the other types or hand them out for the reader to filter.
      const read = await log.read('trigger/x', 10);
      expect(ids(read.filter((e) => e.event.attributes['type'] === 'com.example.x'))).toEqual(['1', '3']);
      await log.ack('trigger/x', read.map((e) => e.offset));
      await reopen();
      await log.openCursor({ name: 'trigger/x', broker: BROKER, onlyType: 'com.example.x' });
      await log.append(BROKER, [typed('5', 'com.example.x')]);
      expect(ids((await log.read('trigger/x', 10)).filter((e) => e.event.attributes['type'] === 'com.example.x'))).toEqual(['5']);
    });

    it('a cursor for one type waits for an append of that type', async () => {
      await log.openCursor({ name: 'trigger/x', broker: BROKER, onlyType: 'com.example.x' });
      const wanted = async () => {
        for (;;) {
          const read = await log.read('trigger/x', 10, 5000);
          const matching = read.filter((e) => e.event.attributes['type'] === 'com.example.x');
          if (matching.length > 0) return ids(matching);
        }
      };
      const waiting = wanted();
      setTimeout(() => void log.append(BROKER, [{ attributes: { ...event('other').attributes, type: 'com.example.y' } }]), 20);
      setTimeout(() => void log.append(BROKER, [{ attributes: { ...event('mine').attributes, type: 'com.example.x' } }]), 60);
      const started = Date.now();
      expect(await waiting).toEqual(['mine']);
      expect(Date.now() - started).toBeLessThan(4000);
    });

    it('trim by count keeps the newest entries', async () => {
      await log.append(BROKER, ['1', '2', '3', '4', '5'].map((id) => event(id)));
      expect(await log.trim(BROKER, { maxCount: 2 })).toBe(3);
      expect(ids(await log.list(BROKER))).toEqual(['4', '5']);
    });

    it('trim by age removes what is older', async () => {
      await log.append(BROKER, [event('old')]);
      await new Promise((resolve) => setTimeout(resolve, 60));
      await log.append(BROKER, [event('new')]);
      expect(await log.trim(BROKER, { maxAgeMs: 30 })).toBe(1);
      expect(ids(await log.list(BROKER))).toEqual(['new']);
    });

    it('trim never removes an entry a cursor has not acknowledged', async () => {
      await log.openCursor({ name: 'trigger/slow', broker: BROKER });
      await log.append(BROKER, ['1', '2', '3', '4'].map((id) => event(id)));
      const read = await log.read('trigger/slow', 1);
      await log.ack('trigger/slow', [read[0]?.offset as string]);
      expect(await log.trim(BROKER, { maxCount: 1 })).toBe(1);
      expect(ids(await log.list(BROKER))).toEqual(['2', '3', '4']);
      expect(ids(await log.read('trigger/slow', 10))).toEqual(['2', '3', '4']);
    });

    it('a closed cursor no longer holds back retention', async () => {
      await log.openCursor({ name: 'trigger/gone', broker: BROKER });
      await log.append(BROKER, ['1', '2', '3'].map((id) => event(id)));
      await log.closeCursor('trigger/gone');
      expect(await log.trim(BROKER, { maxCount: 1 })).toBe(2);
    });

    it('reports itself ready while open', () => {
      expect(log.health()).toEqual({ ready: true });
    });
  });
}
