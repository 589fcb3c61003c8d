/**
 * Fires PingSources on the embedded engine: at each tick, the source's event (a fresh UUID `id`,
 * `time` the tick) is appended to the source's outbox broker, from which an internal trigger
 * delivers it (runtime-config.ts). The outbox is also where the last fire is kept: its newest
 * entry's `time`.
 *
 * After a stop, ticks that fell while the platform was down are not replayed, unless the source's
 * `switchyard.dev/catch-up` annotation allows it: then those up to that age are, oldest first, with
 * their own tick times.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { EventLog } from '../../services/broker/event-log.ts';
import type { PingSourceConfig } from '../../services/manifests/runtime-config.ts';

/** The longest a timer sleeps before the next tick is computed again (the wall clock may move). */
const MAX_SLEEP_MS = 60_000;
/** Catching up replays at most this many ticks a source. */
const MAX_CATCH_UP_TICKS = 1000;
const APPEND_RETRY_MS = 200;

export interface PingSchedulerParts {
  readonly log: EventLog;
  readonly logger: Logger;
  /** The clock, in ms since the epoch (tests may pass their own). */
  readonly now?: () => number;
}

export class PingScheduler {
  readonly #sources: readonly PingSourceConfig[];
  readonly #log: EventLog;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #emitting = new Set<Promise<void>>();
  #running = false;

  constructor(sources: readonly PingSourceConfig[], parts: PingSchedulerParts) {
    this.#sources = sources;
    this.#log = parts.log;
    this.#logger = parts.logger;
    this.#now = parts.now ?? Date.now;
  }

  async start(): Promise<void> {
    this.#running = true;
    for (const source of this.#sources) {
      const last = await this.lastFire(source);
      const now = this.#now();
      if (source.catchUpMs !== undefined && last !== undefined) {
        const missed = source.schedule.between(new Date(Math.max(last, now - source.catchUpMs)), new Date(now), MAX_CATCH_UP_TICKS);
        if (missed.length > 0) this.#logger.info({ source: source.key, ticks: missed.length }, 'PingSource catching up on ticks missed while stopped');
        for (const tick of missed) await this.#emit(source, tick);
      }
      // A last fire in the future (the clock went back) is not fired twice.
      this.#arm(source, new Date(Math.max(now, last ?? 0)));
    }
  }

  /** When the source last fired (ms since the epoch), from its outbox. */
  async lastFire(source: PingSourceConfig): Promise<number | undefined> {
    const [newest] = await this.#log.list(source.outbox, { limit: 1 });
    const time = newest?.event.attributes['time'];
    return typeof time === 'string' ? Date.parse(time) : undefined;
  }

  async stop(): Promise<void> {
    this.#running = false;
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    await Promise.allSettled([...this.#emitting]);
  }

  #arm(source: PingSourceConfig, after: Date): void {
    if (!this.#running) return;
    const next = source.schedule.next(after);
    const wait = next.getTime() - this.#now();
    const timer = setTimeout(() => {
      this.#timers.delete(source.key);
      if (this.#now() < next.getTime()) {
        this.#arm(source, after);
        return;
      }
      const emitting = this.#emit(source, next).finally(() => this.#emitting.delete(emitting));
      this.#emitting.add(emitting);
      this.#arm(source, next);
    }, Math.min(Math.max(0, wait), MAX_SLEEP_MS));
    this.#timers.set(source.key, timer);
  }

  /** Stores the tick's event in the outbox, trying again while the store refuses, until it is stored or the platform stops. */
  async #emit(source: PingSourceConfig, tick: Date): Promise<void> {
    const event = { ...source.event, attributes: { ...source.event.attributes, id: randomUUID(), time: tick.toISOString() } };
    for (let failures = 0; ; failures++) {
      try {
        await this.#log.append(source.outbox, [event]);
        return;
      } catch (error) {
        if (!this.#running) {
          this.#logger.error({ err: error, source: source.key, tick: event.attributes.time }, 'PingSource tick not stored: the platform stopped while the store refused it');
          return;
        }
        if (failures % 25 === 0) this.#logger.warn({ err: error, source: source.key, tick: event.attributes.time }, 'storing a PingSource tick failed; trying again');
        await new Promise((resolve) => setTimeout(resolve, APPEND_RETRY_MS));
      }
    }
  }
}
