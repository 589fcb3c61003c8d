import type Database from 'better-sqlite3';
import type { BrokerKey, LogEntry } from '../event-log.ts';
import { dataEncodingOf } from './sqlite-schema.ts';

/** A row of the `events` table as the log reads it. */
export interface EventRow {
  seq: number;
  appended_at: number;
  attributes: string;
  data: Buffer | null;
  data_encoding: number;
}

export const EVENTS_AFTER_SQL = 'SELECT seq, appended_at, attributes, data, data_encoding FROM events WHERE broker_id = ? AND seq > ? ORDER BY seq LIMIT ?';

export function entryOf(broker: BrokerKey, row: EventRow): LogEntry {
  return {
    offset: String(row.seq),
    broker,
    appendedAt: row.appended_at,
    event: { attributes: JSON.parse(row.attributes), data: row.data ?? undefined, dataEncoding: dataEncodingOf(row.data_encoding) },
  };
}

/** A broker's entries after `after`, or its newest `limit` (all with -1) in log order. */
export function listEntries(reader: Database.Database, broker: BrokerKey, brokerId: number, options: { readonly limit?: number; readonly after?: string }): LogEntry[] {
  const limit = options.limit ?? -1;
  if (options.after !== undefined) {
    return (reader.prepare(EVENTS_AFTER_SQL).all(brokerId, Number(options.after), limit) as EventRow[]).map((row) => entryOf(broker, row));
  }
  const rows = reader.prepare('SELECT seq, appended_at, attributes, data, data_encoding FROM events WHERE broker_id = ? ORDER BY seq DESC LIMIT ?').all(brokerId, limit) as EventRow[];
  rows.reverse();
  return rows.map((row) => entryOf(broker, row));
}
