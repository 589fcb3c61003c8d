/**
 * What users do with dead letters: find them, look at one, send them again (back to their
 * trigger, or once to a URL of their choice), and delete them. Shared by the HTTP API and, through
 * it, the `switchyard dlq` command.
 */
import { type CloudEvent, withoutAttributes } from '../cloudevents/cloud-event.ts';
import { SwitchyardError } from '../errors.ts';
import type { HttpSender } from './delivery/http-sender.ts';
import type { DeadLetter, DeadLetterQuery, DeliveryStore, RetryEntry } from './delivery-store.ts';

const ERROR_EXTENSIONS = ['knativeerrordest', 'knativeerrorcode', 'knativeerrordata'];
/** One send of `redrive --to`, and how long its claim may outlive it. */
const SEND_TIMEOUT_MS = 30_000;
const SEND_CLAIM_MS = 2 * SEND_TIMEOUT_MS;

export interface Selection extends DeadLetterQuery {
  /** Required when nothing else narrows the selection, so that a bare command never touches everything by accident. */
  readonly all?: boolean | undefined;
}

/**
 * Redrive and purge work in chunks of at most CHUNK entries a call, each call short: a large
 * selection is done by repeating the call with `next` until there is none. The first call fixes
 * what the operation covers (the entries created up to then), so entries dead-lettered while it
 * runs (a redriven event failing again) are not chased for ever; and a call repeated after a lost
 * answer takes each entry at most once (redriveDeadLetter, claimDeadLetter).
 */
export interface Chunk {
  readonly afterId?: string | undefined;
  readonly createdUntil?: number | undefined;
  readonly limit?: number | undefined;
}

export interface ChunkAnswer {
  /** Where the next call starts; absent when the selection is done. */
  readonly next?: { readonly after: string; readonly until: number } | undefined;
  /** On the first call of an operation: how many entries it covers. */
  readonly total?: number | undefined;
}

export const MAX_CHUNK = 1000;
/** `ids` in one request at most; the CLI sends longer lists in parts. */
export const MAX_IDS = 10_000;

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
  /** Every configured trigger (source outboxes' too), with its broker, and what a flow's is called (`Sequence default/s step 1`). */
  readonly triggers: ReadonlyMap<string, { readonly broker: string; readonly label?: string | undefined }>;
  /** The brokers users publish to, listed when a filter names one that does not exist. */
  readonly brokers: ReadonlySet<string>;
  /** The triggers users declared, listed likewise. */
  readonly declaredTriggers: readonly string[];
}

export class DeadLetterService {
  readonly #triggers: ReadonlyMap<string, { readonly broker: string; readonly label?: string | undefined }>;

  constructor(
    private readonly store: DeliveryStore,
    private readonly sender: HttpSender,
    private readonly names: DeadLetterNames,
  ) {
    this.#triggers = names.triggers;
  }

  /** The flow, and its step or branch, a dead letter of a flow came from; undefined for a Trigger's. */
  labelOf(trigger: string): string | undefined {
    return this.#triggers.get(trigger)?.label;
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

  /** One chunk of the selection, and where the next starts. */
  async #select(selection: Selection, chunk: Chunk): Promise<{ entries: DeadLetter[] } & ChunkAnswer> {
    if (!narrowed(selection) && selection.all !== true) {
      throw new SwitchyardError('SWY_BAD_REQUEST', 'nothing selects the dead letters (expected ids, a filter such as broker, trigger, type, since or code, or all)');
    }
    if ((selection.ids?.length ?? 0) > MAX_IDS) {
      throw new SwitchyardError('SWY_BAD_REQUEST', `ids has ${selection.ids?.length} entries (expected at most ${MAX_IDS} a request; send more in several requests, as switchyard dlq does)`);
    }
    const first = chunk.afterId === undefined;
    if (first) await this.#checkNames(selection);
    const limit = Math.min(chunk.limit ?? MAX_CHUNK, MAX_CHUNK);
    const until = chunk.createdUntil ?? Date.now();
    const query = { ...selection, afterId: chunk.afterId, createdUntil: until };
    const entries = await this.store.listDeadLetters({ ...query, limit });
    if (first) {
      const missing = (selection.ids ?? []).filter((id) => !entries.some((d) => d.id === id));
      if (missing.length > 0 && entries.length < limit) throw new SwitchyardError('SWY_DEAD_LETTER_NOT_FOUND', `no dead letter with id ${missing.join(', ')}`, { ids: missing });
    }
    const last = entries[entries.length - 1];
    return {
      entries,
      next: entries.length === limit && last !== undefined ? { after: last.id, until } : undefined,
      total: first ? await this.store.countDeadLetters(query) : undefined,
    };
  }

  /** Back to each entry's trigger (a retry due now, with no attempts), or, with `to`, one delivery to that URL. */
  async redrive(
    selection: Selection,
    options: { readonly to?: string | undefined; readonly dryRun?: boolean | undefined } & Chunk,
  ): Promise<{ readonly results: RedriveResult[] } & ChunkAnswer> {
    const { entries, next, total } = await this.#select(selection, options);
    const results: RedriveResult[] = [];
    const redrives: Array<{ id: string; retry: Omit<RetryEntry, 'id'> }> = [];
    for (const entry of entries) {
      const event = originalEvent(entry.event);
      if (options.to !== undefined) {
        results.push(await this.#send(entry.id, event, options.to, options.dryRun === true));
        continue;
      }
      const trigger = this.#triggers.get(entry.trigger);
      if (trigger === undefined) {
        results.push({ id: entry.id, outcome: 'failed', target: `trigger ${entry.trigger}`, error: `trigger ${entry.trigger} is not configured; redrive it with --to URL` });
      } else if (options.dryRun) {
        results.push({ id: entry.id, outcome: 'would-redrive', target: `trigger ${entry.trigger}` });
      } else {
        redrives.push({ id: entry.id, retry: { trigger: entry.trigger, broker: trigger.broker, dueAt: Date.now(), attempts: [], event } });
      }
    }
    // The chunk's redrives in one commit (one pipeline on Redis).
    const retryIds = await this.store.redriveDeadLetters(redrives);
    redrives.forEach(({ id, retry }, i) => results.push({ id, outcome: retryIds[i] === undefined ? 'gone' : 'redriven', target: `trigger ${retry.trigger}` }));
    results.sort((a, b) => Number(a.id) - Number(b.id));
    return { results, next, total };
  }

  /** One delivery to `to`, claimed while it is sent so that two redrives at once send it once. */
  async #send(id: string, event: CloudEvent, to: string, dryRun: boolean): Promise<RedriveResult> {
    if (dryRun) return { id, outcome: 'would-redrive', target: to };
    if (!(await this.store.claimDeadLetter(id, SEND_CLAIM_MS))) return { id, outcome: 'gone', target: to };
    const outcome = await this.sender.send(to, event, { format: 'binary', timeoutMs: SEND_TIMEOUT_MS });
    if (outcome.kind === 'delivered') {
      await this.store.deleteDeadLetters([id]);
      return { id, outcome: 'delivered', target: to };
    }
    await this.store.releaseDeadLetter(id);
    return { id, outcome: 'failed', target: to, error: outcome.error };
  }

  async purge(selection: Selection, options: { readonly dryRun?: boolean | undefined } & Chunk): Promise<{ readonly ids: string[]; readonly purged: number } & ChunkAnswer> {
    const { entries, next, total } = await this.#select(selection, options);
    const ids = entries.map((d) => d.id);
    return { ids, purged: options.dryRun ? 0 : await this.store.deleteDeadLetters(ids), next, total };
  }
}
