import type { CloudEvent } from '../../cloudevents/cloud-event.ts';
import type { CursorPosition } from '../cursor-position.ts';
import type { BrokerKey } from '../event-log.ts';
import type { PendingRows } from './pending-rows.ts';
import { CommittedEntry } from './committed-entry.ts';
import { TailCache } from './tail-cache.ts';

/** What the tails need to know of an open cursor: its broker, its one type if any, how far it has been handed entries. */
export interface TailReader {
  readonly brokerId: number;
  readonly onlyType: string | undefined;
  readonly position: CursorPosition;
}

/**
 * The tails are checked against the cursors' positions once this many entries have been added or
 * handed out: a source paused by backpressure adds none while its trigger drains the tail, and the
 * events handed out would otherwise stay until it resumed.
 */
const RELEASE_EVERY = 256;

/** A broker's share of the entries never goes below this (or the whole budget, when that is smaller). */
const MIN_ENTRIES_PER_BROKER = 1000;

/**
 * Every broker's tail of committed entries (TailCache), filled from each commit, emptied as cursors
 * move on. The budget is shared by the brokers registered together, so memory under a backlog does
 * not grow with their number: a 3-step Sequence is three logs, and with 10,000 entries each its
 * 100,000-event backlog peaked at 245 MB against 187 MB for one broker's (docs/benchmarks.md).
 */
export class BrokerTails {
  readonly #tails = new Map<number, TailCache>();

  constructor(private readonly totalEntries: number) {}

  /** A tail for each broker, complete after `newestSeq`, unless it has one. */
  register(brokerIds: readonly number[], newestSeq: number): void {
    const count = new Set([...this.#tails.keys(), ...brokerIds]).size;
    const share = Math.max(Math.min(this.totalEntries, MIN_ENTRIES_PER_BROKER), Math.floor(this.totalEntries / Math.max(1, count)));
    for (const brokerId of brokerIds) if (!this.#tails.has(brokerId)) this.#tails.set(brokerId, new TailCache(newestSeq, share));
  }

  get(brokerId: number): TailCache | undefined {
    return this.#tails.get(brokerId);
  }

  /** Adds a commit's rows (offsets from `firstSeq`) and answers, per broker, the types appended. */
  addCommitted(rows: PendingRows, firstSeq: number, appendedAt: number, brokerNames: ReadonlyMap<number, BrokerKey>): Map<number, Set<string>> {
    const appendedTypes = new Map<number, Set<string>>();
    for (let i = 0; i < rows.count; i++) {
      const brokerId = rows.brokerIds[i] as number;
      const event = rows.events[i] as CloudEvent;
      const type = String(event.attributes['type']);
      this.#tails.get(brokerId)?.push(new CommittedEntry(String(firstSeq + i), brokerNames.get(brokerId) as BrokerKey, appendedAt, type, rows.attributes[i] as string, event.data, event.dataEncoding));
      let types = appendedTypes.get(brokerId);
      if (types === undefined) appendedTypes.set(brokerId, (types = new Set()));
      types.add(type);
    }
    return appendedTypes;
  }

  /** Lets go of the broker's entries that every open cursor of it has been handed. */
  release(brokerId: number, cursors: Iterable<TailReader>): void {
    const tail = this.#tails.get(brokerId);
    // Not after every commit: the scan is over every open cursor, 1,000 with 1,000 triggers.
    if (tail === undefined || tail.changesSinceRelease < RELEASE_EVERY) return;
    let allTypes = Number.POSITIVE_INFINITY;
    const byType = new Map<string, number>();
    for (const cursor of cursors) {
      if (cursor.brokerId !== brokerId) continue;
      const position = cursor.position.delivered;
      if (cursor.onlyType === undefined) allTypes = Math.min(allTypes, position);
      else byType.set(cursor.onlyType, Math.min(byType.get(cursor.onlyType) ?? Number.POSITIVE_INFINITY, position));
    }
    tail.release({ allTypes, byType });
  }
}
