import type { CloudEvent, DataEncoding } from '../../cloudevents/cloud-event.ts';
import type { BrokerKey } from '../event-log.ts';
import type { TailEntry } from './tail-cache.ts';

/**
 * A committed entry as the tail keeps it: the JSON of its attributes as it was written to SQLite,
 * parsed the first time a reader asks for the event and then shared by every reader. Keeping the
 * appended event objects instead kept a dozen objects per event (the attributes, each value, the
 * entry) alive for as long as it waited for delivery; all of them were promoted to the old
 * generation and marked there, and V8's collector threads spent about as much CPU per record as
 * the delivery itself (bench:kafka, perf: ConcurrentMarking and Scavenger on the helper threads).
 * A string is one object the collector does not look into.
 */
export class CommittedEntry implements TailEntry {
  #attributes: string | undefined;
  #event: CloudEvent | undefined;

  constructor(
    readonly offset: string,
    readonly broker: BrokerKey,
    readonly appendedAt: number,
    readonly type: string,
    attributes: string,
    private readonly data: Uint8Array | undefined,
    private readonly dataEncoding: DataEncoding | undefined,
  ) {
    this.#attributes = attributes;
  }

  get event(): CloudEvent {
    if (this.#event === undefined) {
      this.#event = { attributes: JSON.parse(this.#attributes as string) as CloudEvent['attributes'], data: this.data, dataEncoding: this.dataEncoding };
      this.#attributes = undefined;
    }
    return this.#event;
  }
}
