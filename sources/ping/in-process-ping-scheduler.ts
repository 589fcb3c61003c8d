/**
 * Fires PingSources from timers in this process (the embedded engine: one process). Ticks that
 * fell while the platform was down are not replayed, unless the source's catch-up allows.
 */
import type { PingSourceConfig } from '../../services/manifests/runtime-config.ts';
import { PingEmitter } from './ping-emitter.ts';
import type { PingScheduler, PingSchedulerParts } from './ping-scheduler.ts';

/** The longest a timer sleeps before the next tick is computed again (the wall clock may move). */
const MAX_SLEEP_MS = 60_000;

export class InProcessPingScheduler implements PingScheduler {
  readonly #sources: readonly PingSourceConfig[];
  readonly #emitter: PingEmitter;
  readonly #parts: PingSchedulerParts;
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #emitting = new Set<Promise<void>>();
  #running = false;

  constructor(sources: readonly PingSourceConfig[], parts: PingSchedulerParts) {
    this.#sources = sources;
    this.#parts = parts;
    this.#emitter = new PingEmitter(parts.log, parts.logger);
  }

  async start(): Promise<void> {
    this.#running = true;
    for (const source of this.#sources) {
      const now = Date.now();
      const last = await this.#emitter.lastFire(source);
      await this.#emitter.catchUp(source, now, last);
      // A last fire in the future (the clock went back) is not fired twice.
      this.#arm(source, new Date(Math.max(now, last ?? 0)));
    }
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#emitter.stop();
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    await Promise.allSettled([...this.#emitting]);
  }

  #arm(source: PingSourceConfig, after: Date): void {
    if (!this.#running) return;
    const next = source.schedule.next(after);
    const timer = setTimeout(
      () => {
        this.#timers.delete(source.key);
        if (Date.now() < next.getTime()) {
          this.#arm(source, after);
          return;
        }
        const emitting = this.#emitter
          .emit(source, next)
          .catch((error: unknown) => this.#parts.logger.error({ err: error, source: source.key, tick: next.toISOString() }, 'PingSource tick not stored: the platform stopped while the store refused it'))
          .finally(() => this.#emitting.delete(emitting));
        this.#emitting.add(emitting);
        this.#arm(source, next);
      },
      Math.min(Math.max(0, next.getTime() - Date.now()), MAX_SLEEP_MS),
    );
    this.#timers.set(source.key, timer);
  }
}
