/**
 * Every Redis key the engine touches is named here, and nowhere else.
 *
 *   {prefix}epoch                    STRING a token written when the engine first finds Redis without it;
 *                                           its disappearance means Redis lost its data (restarted empty, flushed)
 *   {prefix}stream:{ns/name}         STREAM one per broker; one consumer group per trigger
 *   {prefix}lease:{cursor}           STRING held (with a TTL) by the one process reading an exclusive cursor (an ordered trigger)
 *   {prefix}dlq:seq                  STRING the last dead-letter id handed out (INCR)
 *   {prefix}dlq:entry:{id}           STRING one dead letter, JSON
 *   {prefix}dlq:all                  ZSET  every dead-letter id, scored by id (listing order)
 *   {prefix}dlq:sink-lease:{id}      STRING held (with a TTL) by the process sending that dead letter to its sink
 *   {prefix}dlq:claim:{id}           STRING held (with a TTL) by the redrive taking that dead letter out
 *   {prefix}bull:retries:*           BullMQ's keys for the retry queue (BullMQ names them)
 *   {prefix}bull:pings:*             BullMQ's keys for PingSource ticks (one job scheduler a source)
 */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  get epoch(): string {
    return `${this.prefix}epoch`;
  }

  stream(broker: string): string {
    return `${this.prefix}stream:${broker}`;
  }

  cursorLease(cursor: string): string {
    return `${this.prefix}lease:${cursor}`;
  }

  get deadLetterSeq(): string {
    return `${this.prefix}dlq:seq`;
  }

  deadLetter(id: string): string {
    return `${this.prefix}dlq:entry:${id}`;
  }

  /** The prefix of every dead-letter entry key (scripts append the id). */
  get deadLetterEntryPrefix(): string {
    return `${this.prefix}dlq:entry:`;
  }

  deadLetterSinkLease(id: string): string {
    return `${this.prefix}dlq:sink-lease:${id}`;
  }

  deadLetterClaim(id: string): string {
    return `${this.prefix}dlq:claim:${id}`;
  }

  get deadLetterIndex(): string {
    return `${this.prefix}dlq:all`;
  }

  /** BullMQ's `prefix` option: it adds `:<queue>:<key>` after it. */
  get bullPrefix(): string {
    return `${this.prefix}bull`;
  }

  readonly retryQueue = 'retries';

  readonly pingQueue = 'pings';
}
