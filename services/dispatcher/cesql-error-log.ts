/**
 * Counts CESQL evaluation errors per trigger and logs them: the first at once, then at most one
 * line per trigger every LOG_EVERY_MS with the running count, so a filter failing on every event
 * neither goes unnoticed nor floods the log.
 */
import type { Logger } from 'pino';
import type { CloudEvent } from '../cloudevents/cloud-event.ts';
import type { CesqlError } from '../cesql/cesql.ts';
import type { CesqlErrorObserver } from './filters/cesql-filter.ts';

const LOG_EVERY_MS = 10_000;

export class CesqlErrorLog {
  readonly #counts = new Map<string, { total: number; loggedAt: number }>();

  constructor(private readonly logger: Logger) {}

  /** The observer for one trigger's filter. */
  forTrigger(trigger: string): CesqlErrorObserver {
    return (path: string, error: CesqlError, event: CloudEvent) => this.#record(trigger, path, error, event);
  }

  /** Evaluation errors so far, by trigger key. */
  counts(): Record<string, number> {
    return Object.fromEntries([...this.#counts].map(([trigger, { total }]) => [trigger, total]));
  }

  #record(trigger: string, path: string, error: CesqlError, event: CloudEvent): void {
    const now = Date.now();
    let entry = this.#counts.get(trigger);
    if (entry === undefined) {
      entry = { total: 0, loggedAt: 0 };
      this.#counts.set(trigger, entry);
    }
    entry.total++;
    if (entry.total > 1 && now - entry.loggedAt < LOG_EVERY_MS) return;
    entry.loggedAt = now;
    this.logger.warn(
      { trigger, filter: path, errorKind: error.kind, event: event.attributes['id'], cesqlErrors: entry.total },
      `CESQL filter failed to evaluate (${error.kind}: ${error.message}); the event does not match. ${entry.total} such error${entry.total === 1 ? '' : 's'} for this trigger so far`,
    );
  }
}
