/**
 * Hands one trigger's due retries from the SQLite table to its handler. The table is the truth;
 * the timer only decides when to look again (at the next due time, at most a second away, or
 * when a retry is scheduled).
 */
import type { RetryAnswer, RetryConsumer, RetryEntry, RetryHandler } from '../delivery-store.ts';

const POLL_MAX_MS = 1000;
/** A handler that threw has its retry looked at again after this long. */
const AFTER_HANDLER_ERROR_MS = 1000;

export interface RetryTable {
  due(trigger: string, now: number, limit: number, skip: ReadonlySet<string>): Promise<RetryEntry[]>;
  nextDue(trigger: string): Promise<number | undefined>;
  apply(retry: RetryEntry, answer: RetryAnswer): Promise<void>;
}

export class SqliteRetryConsumer implements RetryConsumer {
  readonly #inFlight = new Map<string, Promise<void>>();
  #running = true;
  #wake: (() => void) | undefined;
  readonly #loop: Promise<void>;

  constructor(
    private readonly table: RetryTable,
    private readonly trigger: string,
    private readonly concurrency: number,
    private readonly handle: RetryHandler,
  ) {
    this.#loop = this.#run();
  }

  /** A retry was scheduled for this trigger: look now. */
  poke(): void {
    this.#wake?.();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#wake?.();
    await this.#loop;
    await Promise.allSettled([...this.#inFlight.values()]);
  }

  async #run(): Promise<void> {
    while (this.#running) {
      let wait = POLL_MAX_MS;
      try {
        const room = this.concurrency - this.#inFlight.size;
        if (room > 0) {
          const due = await this.table.due(this.trigger, Date.now(), room, new Set(this.#inFlight.keys()));
          for (const retry of due) this.#start(retry);
          if (due.length === room) continue;
          const next = await this.table.nextDue(this.trigger);
          if (next !== undefined) wait = Math.min(POLL_MAX_MS, Math.max(5, next - Date.now()));
        }
      } catch {
        // The store failed (it is closing, say); look again after the usual pause.
      }
      if (!this.#running) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, wait);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.#wake = done;
      });
      this.#wake = undefined;
    }
  }

  #start(retry: RetryEntry): void {
    const work = this.handle(retry)
      .then((answer) => this.table.apply(retry, answer))
      .catch(() => this.table.apply(retry, { kind: 'again', dueAt: Date.now() + AFTER_HANDLER_ERROR_MS, attempts: retry.attempts }))
      .catch(() => undefined)
      .finally(() => {
        this.#inFlight.delete(retry.id);
        this.#wake?.();
      });
    this.#inFlight.set(retry.id, work);
  }
}
