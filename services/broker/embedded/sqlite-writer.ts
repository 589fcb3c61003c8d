/**
 * The embedded store's writer thread: it owns the only write connection and runs one transaction
 * per message. It lives off the main thread because a durable commit waits for fsync (0.5–1.5 ms
 * measured on this project's machines); on the main thread that wait would stall ingress, here it
 * overlaps with the next group of events being received.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { applyPragmas, applySchema } from './sqlite-schema.ts';
import type { CommitResult, PackedRows, StatementName, WriteStep, WriterInit, WriterRequest, WriterResponse } from './sqlite-writer-protocol.ts';

const init = workerData as WriterInit;
const port = parentPort;
if (port === null) throw new Error('sqlite-writer must run in a worker thread');

const db = new Database(init.path);
applyPragmas(db, init.synchronous);
applySchema(db);

const insertEvent = db.prepare('INSERT INTO events (broker_id, appended_at, attributes, data, data_encoding) VALUES (?, ?, ?, ?, ?)');
const upsertCursor = db.prepare('UPDATE cursors SET position = MAX(position, ?) WHERE name = ?');
const insertBroker = db.prepare('INSERT OR IGNORE INTO brokers (name) VALUES (?)');
const selectBroker = db.prepare('SELECT id FROM brokers WHERE name = ?');
const openCursor = db.prepare('INSERT OR IGNORE INTO cursors (name, broker_id, position) VALUES (?, ?, (SELECT IFNULL(MAX(seq), 0) FROM events))');
const closeCursor = db.prepare('DELETE FROM cursors WHERE name = ?');
const trimChunk = db.prepare('DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE broker_id = ? AND seq < ? ORDER BY seq LIMIT 5000)');

const statements: Record<StatementName, Database.Statement> = {
  // A commit that writes a little, to learn whether the store can commit again (commit-health.ts).
  probe: db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('probe', ?)"),
  insertRetry: db.prepare('INSERT INTO retries (trigger, broker, due_at, attempts, attributes, data, data_encoding) VALUES (?, ?, ?, ?, ?, ?, ?)'),
  // A redriven dead letter's retry, only while the dead letter is there: two redrives at once,
  // each followed by the dead letter's DELETE in the same transaction, insert one retry.
  redriveRetry: db.prepare(
    'INSERT INTO retries (trigger, broker, due_at, attempts, attributes, data, data_encoding) SELECT ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM dead_letters WHERE id = ?)',
  ),
  updateRetry: db.prepare('UPDATE retries SET due_at = ?, attempts = ? WHERE id = ?'),
  deleteRetry: db.prepare('DELETE FROM retries WHERE id = ?'),
  insertDeadLetter: db.prepare(
    'INSERT INTO dead_letters (broker, trigger, type, code, reason, created_at, attempts, attributes, data, data_encoding, sink) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  ),
  updateDeadLetterSink: db.prepare('UPDATE dead_letters SET sink = ? WHERE id = ?'),
  deleteDeadLetter: db.prepare('DELETE FROM dead_letters WHERE id = ?'),
};

function runStep([name, params]: WriteStep): number {
  // better-sqlite3 binds BLOBs from Buffers; a Uint8Array arrives here after crossing threads.
  const bound = params.map((p) => (p instanceof Uint8Array && !Buffer.isBuffer(p) ? Buffer.from(p.buffer, p.byteOffset, p.byteLength) : p));
  const info = statements[name].run(...bound);
  if (name === 'redriveRetry') return info.changes === 1 ? Number(info.lastInsertRowid) : 0;
  return name.startsWith('insert') ? Number(info.lastInsertRowid) : info.changes;
}

const commit = db.transaction((rows: PackedRows, cursors: ReadonlyArray<readonly [string, number]>, steps: readonly WriteStep[]): CommitResult => {
  const now = Date.now();
  let firstSeq = 0;
  let previous = 0;
  if (rows.count > 0) {
    const attributes = rows.attributes.split('\n');
    for (let i = 0; i < rows.count; i++) {
      const start = rows.dataOffsets[i] as number;
      const data = rows.hasData[i] === 1 ? Buffer.from(rows.data, start, (rows.dataOffsets[i + 1] as number) - start) : null;
      const seq = Number(insertEvent.run(rows.brokerIds[i], now, attributes[i], data, rows.dataEncodings[i]).lastInsertRowid);
      if (i === 0) firstSeq = seq;
      else if (seq !== previous + 1) throw new Error(`offsets of one commit are not consecutive (${previous} then ${seq})`);
      previous = seq;
    }
  }
  for (const [name, position] of cursors) upsertCursor.run(position, name);
  const stepResults = steps.map(runStep);
  return { firstSeq, appendedAt: now, stepResults };
});

const registerBrokers = db.transaction((names: readonly string[]) => {
  const ids: Record<string, number> = {};
  for (const name of names) {
    insertBroker.run(name);
    ids[name] = (selectBroker.get(name) as { id: number }).id;
  }
  return ids;
});

function handle(request: WriterRequest): unknown {
  switch (request.op) {
    case 'commit': {
      // A commit that only moves cursors skips the fsync: a lost cursor move means a redelivery,
      // never a loss, and the next synced commit makes the WAL durable up to it anyway. Without
      // this, acknowledgements took their own fsync and appends queued behind them (ingress fell
      // from ~15k to ~3k events/s while dispatching).
      const cursorsOnly = request.rows.count === 0 && request.steps.length === 0;
      if (cursorsOnly && init.synchronous === 'full') db.pragma('synchronous = NORMAL');
      try {
        return commit(request.rows, request.cursors, request.steps);
      } finally {
        if (cursorsOnly && init.synchronous === 'full') db.pragma('synchronous = FULL');
      }
    }
    case 'registerBrokers':
      return registerBrokers(request.names);
    case 'openCursor':
      openCursor.run(request.name, request.brokerId);
      return null;
    case 'closeCursor':
      closeCursor.run(request.name);
      return null;
    case 'trim': {
      // Chunks keep each transaction short, so appends are never held up behind a large trim.
      let removed = 0;
      for (;;) {
        const changes = trimChunk.run(request.brokerId, request.belowSeq).changes;
        removed += changes;
        if (changes < 5000) return removed;
      }
    }
    case 'close':
      db.close();
      return null;
  }
}

port.on('message', (request: WriterRequest) => {
  let response: WriterResponse;
  try {
    response = { id: request.id, ok: true, result: handle(request) };
  } catch (error) {
    response = { id: request.id, ok: false, message: (error as Error).message };
  }
  port.postMessage(response);
  if (request.op === 'close') port.close();
});
