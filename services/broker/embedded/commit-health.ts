/**
 * Whether the embedded store can commit. A full disk (or a failing device) makes every commit
 * fail while the writer thread lives on: without this, every publish got 503 while /readyz said
 * ready and nothing was logged. Failures are logged at error level, the first at once and then
 * at most one line per LOG_EVERY_MS with the count; while failing, a small probe commit runs every
 * PROBE_EVERY_MS, so the store recovers by itself once it can commit again, traffic or not.
 */
import type { Logger } from 'pino';

const LOG_EVERY_MS = 10_000;
const PROBE_EVERY_MS = 1000;

export class CommitHealth {
  #failing: { since: number; reason: string; failures: number; logged: number } | undefined;
  #lastLogAt = 0;
  #probe: NodeJS.Timeout | undefined;

  constructor(
    private readonly probe: () => Promise<unknown>,
    private readonly logger: Logger | undefined,
  ) {}

  /** Why commits fail, while they do. */
  get failure(): string | undefined {
    if (this.#failing === undefined) return undefined;
    return `commits fail since ${new Date(this.#failing.since).toISOString()} (${this.#failing.failures} so far): ${this.#failing.reason}`;
  }

  failed(reason: string): void {
    const now = Date.now();
    this.#failing ??= { since: now, reason, failures: 0, logged: 0 };
    this.#failing.failures++;
    this.#failing.reason = reason;
    if (now - this.#lastLogAt >= LOG_EVERY_MS) {
      this.#lastLogAt = now;
      const failures = this.#failing.failures - this.#failing.logged;
      this.#failing.logged = this.#failing.failures;
      this.logger?.error({ reason, failures, since: new Date(this.#failing.since).toISOString() }, 'the store cannot commit: events are refused with 503 and /readyz answers 503 until it can');
    }
    if (this.#probe === undefined) {
      this.#probe = setInterval(() => void this.probe().catch(() => undefined), PROBE_EVERY_MS);
      this.#probe.unref();
    }
  }

  succeeded(): void {
    if (this.#failing === undefined) return;
    this.logger?.warn({ failures: this.#failing.failures, since: new Date(this.#failing.since).toISOString() }, 'the store commits again');
    this.#failing = undefined;
    this.#lastLogAt = 0;
    this.stop();
  }

  stop(): void {
    clearInterval(this.#probe);
    this.#probe = undefined;
  }
}
