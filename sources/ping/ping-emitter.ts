/**
 * What every PingSource scheduler does at a tick, whatever engine triggers it: build the tick's
 * event (a fresh UUID `id`, `time` the tick) and append it to the source's outbox, from which an
 * internal trigger delivers it (runtime-config.ts). The outbox is also where the last fire is
 * kept: its newest entry's `time`.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { logAccepted } from '../../services/broker/accepted-log.ts';
import type { EventLog } from '../../services/broker/event-log.ts';
import type { PingSourceConfig } from '../../services/manifests/runtime-config.ts';

/** Catching up replays at most this many ticks a source. */
const MAX_CATCH_UP_TICKS = 1000;
const APPEND_RETRY_MS = 200;

export class PingEmitter {
  #running = true;

  constructor(
    private readonly log: EventLog,
    private readonly logger: Logger,
  ) {}

  /** When the source last fired (ms since the epoch), from its outbox. */
  async lastFire(source: PingSourceConfig): Promise<number | undefined> {
    const [newest] = await this.log.list(source.outbox, { limit: 1 });
    const time = newest?.event.attributes['time'];
    return typeof time === 'string' ? Date.parse(time) : undefined;
  }

  /**
   * Ticks after the last fire (`last`, from lastFire) and up to `now` that the platform missed while it was down are sent,
   * oldest first with their own times, when the source's catch-up allows (and only as old as it
   * allows); otherwise none. Resolves with how many were sent.
   */
  async catchUp(source: PingSourceConfig, now: number, last: number | undefined): Promise<number> {
    if (source.catchUpMs === undefined || last === undefined) return 0;
    const missed = source.schedule.between(new Date(Math.max(last, now - source.catchUpMs)), new Date(now), MAX_CATCH_UP_TICKS);
    if (missed.length > 0) this.logger.info({ source: source.key, ticks: missed.length }, 'PingSource catching up on ticks missed while stopped');
    for (const tick of missed) await this.emit(source, tick);
    return missed.length;
  }

  /** Stores the tick's event in the outbox, trying again while the store refuses it, until stored or stopped. */
  async emit(source: PingSourceConfig, tick: Date): Promise<void> {
    const event = { ...source.event, attributes: { ...source.event.attributes, id: randomUUID(), time: tick.toISOString() } };
    for (let failures = 0; ; failures++) {
      try {
        const offsets = await this.log.append(source.outbox, [event]);
        logAccepted(this.logger, source.outbox, [event], offsets, `PingSource ${source.key}`);
        return;
      } catch (error) {
        if (!this.#running) throw error;
        if (failures % 25 === 0) this.logger.warn({ err: error, source: source.key, tick: event.attributes.time }, 'storing a PingSource tick failed; trying again');
        await new Promise((resolve) => setTimeout(resolve, APPEND_RETRY_MS));
      }
    }
  }

  /** Stops retrying: an emit under way fails instead of waiting for the store. */
  stop(): void {
    this.#running = false;
  }
}
