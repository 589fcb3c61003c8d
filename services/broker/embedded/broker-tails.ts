import type { CloudEvent } from '../../cloudevents/cloud-event.ts';
import type { CursorPosition } from '../cursor-position.ts';
import type { BrokerKey } from '../event-log.ts';
import type { PendingRows } from './pending-rows.ts';
import { TailCache } from './tail-cache.ts';

/** What the tails need to know of an open cursor: its broker, its one type if any, how far it has been handed entries. */
export interface TailReader {
  readonly brokerId: number;
  readonly onlyType: string | undefined;
  readonly position: CursorPosition;
}

/** The tails are checked against the cursors' positions once this many entries have been added. */
const RELEASE_EVERY = 256;

/** Every broker's tail of committed entries (TailCache), filled from each commit, emptied as cursors move on. */
export class BrokerTails {
  readonly #tails = new Map<number, TailCache>();

  constructor(private readonly entriesPerBroker: number) {}

  /** A tail for the broker, complete after `newestSeq`, unless it has one. */
  register(brokerId: number, newestSeq: number): void {
    if (!this.#tails.has(brokerId)) this.#tails.set(brokerId, new TailCache(newestSeq, this.entriesPerBroker));
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
      this.#tails.get(brokerId)?.push({ offset: String(firstSeq + i), broker: brokerNames.get(brokerId) as BrokerKey, appendedAt, event });
      let types = appendedTypes.get(brokerId);
      if (types === undefined) appendedTypes.set(brokerId, (types = new Set()));
      types.add(String(event.attributes['type']));
    }
    return appendedTypes;
  }

  /** Lets go of the broker's entries that every open cursor of it has been handed. */
  release(brokerId: number, cursors: Iterable<TailReader>): void {
    const tail = this.#tails.get(brokerId);
    // Not after every commit: the scan is over every open cursor, 1,000 with 1,000 triggers.
    if (tail === undefined || tail.pushedSinceRelease < RELEASE_EVERY) return;
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
