/**
 * What a KafkaSource is doing, for `/readyz`'s detail: consuming, paused by backpressure, or
 * unable to reach Kafka (kafkajs retries by itself; this says since when and why). Fed by the
 * consumer's instrumentation events and kafkajs's error log lines.
 */
export type KafkaSourceState = 'starting' | 'consuming' | 'paused' | 'unavailable';

export interface KafkaSourceHealth {
  readonly kind: 'KafkaSource';
  /** `namespace/name` */
  readonly source: string;
  readonly state: KafkaSourceState;
  /** When it entered this state (ISO). */
  readonly since: string;
  /** Why: the last error while unavailable, the backlog while paused. */
  readonly reason?: string | undefined;
  /** The partitions Kafka assigned to this process's consumers, by topic (several processes share a group). */
  readonly partitions?: Readonly<Record<string, readonly number[]>> | undefined;
}

export class KafkaSourceHealthTracker {
  #state: KafkaSourceState = 'starting';
  #since = Date.now();
  #reason: string | undefined;
  #paused = false;
  /** Per consumer of the source (a source may run several): its last assignment. */
  readonly #assignments = new Map<number, Readonly<Record<string, readonly number[]>>>();

  constructor(private readonly source: string) {}

  /** A fetch or a group join worked: Kafka is reachable. */
  reachable(): void {
    if (this.#state === 'unavailable' || this.#state === 'starting') this.#enter(this.#paused ? 'paused' : 'consuming', this.#paused ? this.#reason : undefined);
  }

  /** A consumer joined its group and was given these partitions. */
  assigned(consumer: number, partitions: Readonly<Record<string, readonly number[]>>): void {
    this.#assignments.set(consumer, partitions);
    this.reachable();
  }

  /** A consumer crashed: its partitions are no longer this process's. */
  unassigned(consumer: number): void {
    this.#assignments.delete(consumer);
  }

  /** kafkajs reported an error talking to Kafka (it retries). */
  failing(reason: string): void {
    if (this.#state !== 'unavailable') this.#enter('unavailable', reason);
    else this.#reason = reason;
  }

  paused(reason: string): void {
    this.#paused = true;
    if (this.#state !== 'unavailable') this.#enter('paused', reason);
  }

  resumed(): void {
    this.#paused = false;
    if (this.#state === 'paused') this.#enter('consuming', undefined);
  }

  get state(): KafkaSourceState {
    return this.#state;
  }

  snapshot(): KafkaSourceHealth {
    return {
      kind: 'KafkaSource',
      source: this.source,
      state: this.#state,
      since: new Date(this.#since).toISOString(),
      ...(this.#reason === undefined ? {} : { reason: this.#reason }),
      ...(this.#assignments.size === 0 ? {} : { partitions: this.#partitions() }),
    };
  }

  #partitions(): Record<string, number[]> {
    const merged: Record<string, number[]> = {};
    for (const assignment of this.#assignments.values()) {
      for (const [topic, partitions] of Object.entries(assignment)) merged[topic] = [...(merged[topic] ?? []), ...partitions].sort((a, b) => a - b);
    }
    return merged;
  }

  #enter(state: KafkaSourceState, reason: string | undefined): void {
    this.#state = state;
    this.#since = Date.now();
    this.#reason = reason;
  }
}
