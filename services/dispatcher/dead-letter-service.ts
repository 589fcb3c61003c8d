/**
 * What users do with dead letters: find them, look at one, send them again (back to their
 * trigger, or once to a URL of their choice), and delete them. Shared by the HTTP API and, through
 * it, the `switchyard dlq` command.
 */
import { type CloudEvent, withoutAttributes } from '../cloudevents/cloud-event.ts';
import { SwitchyardError } from '../errors.ts';
import type { HttpSender } from './delivery/http-sender.ts';
import type { DeadLetter, DeadLetterQuery, DeliveryStore } from './delivery-store.ts';

const ERROR_EXTENSIONS = ['knativeerrordest', 'knativeerrorcode', 'knativeerrordata'];
/** One send of `redrive --to`, and how long its claim may outlive it. */
const SEND_TIMEOUT_MS = 30_000;
const SEND_CLAIM_MS = 2 * SEND_TIMEOUT_MS;

export interface Selection extends DeadLetterQuery {
  /** Required when nothing else narrows the selection, so that a bare command never touches everything by accident. */
  readonly all?: boolean | undefined;
}

export interface RedriveResult {
  readonly id: string;
  /** `gone`: another redrive or a purge took the entry between the listing and this redrive. */
  readonly outcome: 'redriven' | 'delivered' | 'failed' | 'would-redrive' | 'gone';
  readonly target: string;
  readonly error?: string;
}

/** The event as it was before dead-lettering added knativeerror* extensions. */
export function originalEvent(event: CloudEvent): CloudEvent {
  return withoutAttributes(event, ERROR_EXTENSIONS);
}

function narrowed(selection: Selection): boolean {
  return [selection.broker, selection.trigger, selection.type, selection.since, selection.code, selection.ids].some((v) => v !== undefined);
}

export interface DeadLetterNames {
  /** Every configured trigger (source outboxes' too), with its broker. */
  readonly triggers: ReadonlyMap<string, { readonly broker: string }>;
  /** The brokers users publish to, listed when a filter names one that does not exist. */
  readonly brokers: ReadonlySet<string>;
  /** The triggers users declared, listed likewise. */
  readonly declaredTriggers: readonly string[];
}

export class DeadLetterService {
  readonly #triggers: ReadonlyMap<string, { readonly broker: string }>;

  constructor(
    private readonly store: DeliveryStore,
    private readonly sender: HttpSender,
    private readonly names: DeadLetterNames,
  ) {
    this.#triggers = names.triggers;
  }

  async list(query: DeadLetterQuery): Promise<DeadLetter[]> {
    await this.#checkNames(query);
    return this.store.listDeadLetters(query);
  }

  /**
   * A filter naming a broker or trigger that is neither configured nor named by any dead letter
   * (one of a trigger since removed) is a mistake: refused with the names that exist, rather than
   * answered with nothing.
   */
  async #checkNames(query: DeadLetterQuery): Promise<void> {
    const known = (list: Iterable<string>) => [...list].sort().join(', ') || 'none';
    const brokers = new Set([...this.#triggers.values()].map((t) => t.broker));
    if (query.broker !== undefined && !brokers.has(query.broker) && !this.names.brokers.has(query.broker)) {
      if ((await this.store.listDeadLetters({ broker: query.broker, limit: 1 })).length === 0) {
        throw new SwitchyardError('SWY_BROKER_NOT_FOUND', `no broker ${query.broker} is configured and no dead letter names it (expected one of: ${known(this.names.brokers)})`, { broker: query.broker });
      }
    }
    if (query.trigger !== undefined && !this.#triggers.has(query.trigger)) {
      if ((await this.store.listDeadLetters({ trigger: query.trigger, limit: 1 })).length === 0) {
        throw new SwitchyardError('SWY_TRIGGER_NOT_FOUND', `no trigger ${query.trigger} is configured and no dead letter names it (expected one of: ${known(this.names.declaredTriggers)})`, { trigger: query.trigger });
      }
    }
  }

  async get(id: string): Promise<DeadLetter> {
    const [found] = await this.store.listDeadLetters({ ids: [id] });
    if (found === undefined) throw new SwitchyardError('SWY_DEAD_LETTER_NOT_FOUND', `no dead letter with id ${id}`, { id });
    return found;
  }

  async #select(selection: Selection): Promise<DeadLetter[]> {
    if (!narrowed(selection) && selection.all !== true) {
      throw new SwitchyardError('SWY_BAD_REQUEST', 'nothing selects the dead letters (expected ids, a filter such as broker, trigger, type, since or code, or all)');
    }
    await this.#checkNames(selection);
    const found = await this.store.listDeadLetters(selection);
    const missing = (selection.ids ?? []).filter((id) => !found.some((d) => d.id === id));
    if (missing.length > 0) throw new SwitchyardError('SWY_DEAD_LETTER_NOT_FOUND', `no dead letter with id ${missing.join(', ')}`, { ids: missing });
    return found;
  }

  /** Back to each entry's trigger (a retry due now, with no attempts), or, with `to`, one delivery to that URL. */
  async redrive(selection: Selection, options: { readonly to?: string | undefined; readonly dryRun?: boolean | undefined }): Promise<RedriveResult[]> {
    const entries = await this.#select(selection);
    const results: RedriveResult[] = [];
    for (const entry of entries) {
      const event = originalEvent(entry.event);
      if (options.to !== undefined) {
        if (options.dryRun) {
          results.push({ id: entry.id, outcome: 'would-redrive', target: options.to });
          continue;
        }
        // Claimed while it is sent, so that two redrives at once send it once.
        if (!(await this.store.claimDeadLetter(entry.id, SEND_CLAIM_MS))) {
          results.push({ id: entry.id, outcome: 'gone', target: options.to });
          continue;
        }
        const outcome = await this.sender.send(options.to, event, { format: 'binary', timeoutMs: SEND_TIMEOUT_MS });
        if (outcome.kind === 'delivered') {
          await this.store.deleteDeadLetters([entry.id]);
          results.push({ id: entry.id, outcome: 'delivered', target: options.to });
        } else {
          await this.store.releaseDeadLetter(entry.id);
          results.push({ id: entry.id, outcome: 'failed', target: options.to, error: outcome.error });
        }
        continue;
      }
      const trigger = this.#triggers.get(entry.trigger);
      if (trigger === undefined) {
        results.push({ id: entry.id, outcome: 'failed', target: `trigger ${entry.trigger}`, error: `trigger ${entry.trigger} is not configured; redrive it with --to URL` });
        continue;
      }
      if (options.dryRun) {
        results.push({ id: entry.id, outcome: 'would-redrive', target: `trigger ${entry.trigger}` });
        continue;
      }
      const retryId = await this.store.redriveDeadLetter(entry.id, { trigger: entry.trigger, broker: trigger.broker, dueAt: Date.now(), attempts: [], event });
      results.push({ id: entry.id, outcome: retryId === undefined ? 'gone' : 'redriven', target: `trigger ${entry.trigger}` });
    }
    return results;
  }

  async purge(selection: Selection, options: { readonly dryRun?: boolean | undefined }): Promise<{ readonly ids: string[]; readonly purged: number }> {
    const ids = (await this.#select(selection)).map((d) => d.id);
    if (options.dryRun) return { ids, purged: 0 };
    return { ids, purged: await this.store.deleteDeadLetters(ids) };
  }
}
