import type Database from 'better-sqlite3';
import type { Retention } from '../event-log.ts';

/**
 * The sequence number below which a broker's events may be removed under `retention`: the oldest
 * event young enough, or the newest `maxCount`-th, whichever keeps fewer — but never past an event
 * a cursor has not finished, whether written (`cursors` table) or only in memory (`ackedInMemory`,
 * the open cursors' positions not yet persisted). 0 when nothing is to go.
 */
export function retentionFloor(reader: Database.Database, brokerId: number, retention: Retention, ackedInMemory: readonly number[]): number {
  let below = 0;
  if (retention.maxAgeMs !== undefined) {
    const row = reader.prepare('SELECT MIN(seq) AS seq FROM events WHERE broker_id = ? AND appended_at >= ?').get(brokerId, Date.now() - retention.maxAgeMs) as {
      seq: number | null;
    };
    below = Math.max(below, row.seq ?? Number.MAX_SAFE_INTEGER);
  }
  if (retention.maxCount !== undefined) {
    const row = reader.prepare('SELECT seq FROM events WHERE broker_id = ? ORDER BY seq DESC LIMIT 1 OFFSET ?').get(brokerId, Math.max(0, retention.maxCount - 1)) as
      | { seq: number }
      | undefined;
    if (row !== undefined) below = Math.max(below, row.seq);
  }
  if (below === 0) return 0;
  const slowest = reader.prepare('SELECT MIN(position) AS position FROM cursors WHERE broker_id = ?').get(brokerId) as { position: number | null };
  for (const acked of ackedInMemory) below = Math.min(below, acked + 1);
  if (slowest.position !== null) below = Math.min(below, slowest.position + 1);
  return below;
}
