/**
 * The embedded store's tables. `seq` is AUTOINCREMENT so that offsets never go backwards, even
 * after retention has emptied the table (a plain rowid would restart at 1 and a cursor would skip
 * the new events).
 */
import type Database from 'better-sqlite3';
import type { DataEncoding } from '../../cloudevents/cloud-event.ts';

export const SCHEMA_VERSION = 1;

export function applySchema(db: Database.Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS brokers (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
    CREATE TABLE IF NOT EXISTS events (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      broker_id INTEGER NOT NULL,
      appended_at INTEGER NOT NULL,
      attributes TEXT NOT NULL,
      data BLOB,
      data_encoding INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX IF NOT EXISTS events_by_broker ON events (broker_id, seq);
    CREATE TABLE IF NOT EXISTS cursors (
      name TEXT PRIMARY KEY,
      broker_id INTEGER NOT NULL,
      position INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS retries (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      trigger TEXT NOT NULL,
      broker TEXT NOT NULL,
      due_at INTEGER NOT NULL,
      attempts TEXT NOT NULL,
      attributes TEXT NOT NULL,
      data BLOB,
      data_encoding INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX IF NOT EXISTS retries_due ON retries (trigger, due_at);
    CREATE TABLE IF NOT EXISTS dead_letters (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      broker TEXT NOT NULL,
      trigger TEXT NOT NULL,
      type TEXT NOT NULL,
      code INTEGER,
      reason TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      attempts TEXT NOT NULL,
      attributes TEXT NOT NULL,
      data BLOB,
      data_encoding INTEGER NOT NULL DEFAULT 0,
      sink TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS dead_letters_created ON dead_letters (created_at);
  `);
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get('schema_version') as { value: string } | undefined;
  if (row === undefined) {
    db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('schema_version', String(SCHEMA_VERSION));
  } else if (Number(row.value) > SCHEMA_VERSION) {
    throw new Error(`the store was written by a newer Switchyard (schema ${row.value}, this one knows ${SCHEMA_VERSION})`);
  }
}

export type Synchronous = 'full' | 'normal';

export function applyPragmas(db: Database.Database, synchronous: Synchronous): void {
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
  db.pragma('busy_timeout = 5000');
}

/** How `data_encoding` columns store a CloudEvent's DataEncoding (0: none, decided from the content type). */
const ENCODINGS: ReadonlyArray<DataEncoding | undefined> = [undefined, 'json', 'text', 'base64'];

export function dataEncodingCode(encoding: DataEncoding | undefined): number {
  return encoding === undefined ? 0 : ENCODINGS.indexOf(encoding);
}

export function dataEncodingOf(code: number): DataEncoding | undefined {
  return ENCODINGS[code];
}
