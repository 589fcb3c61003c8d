/**
 * Delivers one trigger's events.
 *
 *   log entry (cursor) ──filter fails──▶ ack
 *        │ filter passes
 *        ▼
 *   attempt ──delivered──▶ reply? ──▶ publish reply (TTL carried) ──stored──▶ ack / complete retry
 *        │                                   ├─ TTL exhausted ──▶ dead-letter the reply, then ack
 *        │                                   └─ store failed ───▶ counts as a failed attempt
 *        │ failed
 *        ├─ retryable and retries left ──▶ persist retry (due time), then ack
 *        └─ otherwise ──▶ dead letter (+ knativeerror* extensions), then ack; then the dead-letter sink
 *
 *   persisted retry, handed over by the store when due ──▶ attempt (as above); the answer (done, or
 *   again at a due time) goes back to the store, which applies it
 *
 * With an ordering key (`switchyard.dev/ordering-key`, an ordered KafkaSource), events with the
 * same key go one at a time in log order, each retried in place (its slot waits out the backoff,
 * its entry stays unacknowledged) until delivered or dead-lettered; the next of that key waits in
 * key-queues.ts. A restart reads the unacknowledged entries again in log order, so order holds.
 *
 * An entry is acknowledged only after its outcome is durable, so a crash at any point delivers it
 * again rather than losing it. At most `maxInFlight` events are being delivered at once, which
 * bounds memory whatever the backlog.
 */
import type { Logger } from 'pino';
import { BROKER_TTL, type CloudEvent, SOURCE_ORDERING_KEY, withoutAttributes } from '../cloudevents/cloud-event.ts';
import { SwitchyardError } from '../errors.ts';
import type { EventLog, LogEntry } from '../broker/event-log.ts';
import type { Publisher } from '../broker/publisher.ts';
import type { FunctionHost } from '../functions/function-host.ts';
import type { KafkaSinks } from '../../sources/kafka/kafka-sinks.ts';
import type { TriggerConfig } from '../manifests/runtime-config.ts';
import { isRetryable, parseRetryAfter, waitBeforeRetryMs } from './delivery/backoff.ts';
import type { DeliveryOptions } from './delivery/delivery-options.ts';
import type { HttpSender, SendOutcome } from './delivery/http-sender.ts';
import type { Attempt, DeliveryStore, RetryAnswer, RetryConsumer, RetryEntry } from './delivery-store.ts';
import type { ResolvedDestination } from './destinations.ts';
import { DeadLetterSinkSender } from './dead-letter-sink.ts';
import { produceToKafka } from './delivery/kafka-delivery.ts';
import type { Filter } from './filters/filter.ts';
import { KeyQueues, orderingKeyOf } from './ordering/key-queues.ts';

export interface TriggerDispatcherParts {
  readonly functions: FunctionHost;
  readonly log: EventLog;
  readonly store: DeliveryStore;
  readonly sender: HttpSender;
  readonly publisher: Publisher;
  readonly kafkaSinks: KafkaSinks;
  readonly logger: Logger;
}

export interface TriggerPlan {
  readonly trigger: TriggerConfig;
  readonly filter: Filter;
  readonly delivery: DeliveryOptions;
  readonly subscriber: ResolvedDestination;
  readonly deadLetterSink: ResolvedDestination | undefined;
}

type Verdict =
  | { readonly kind: 'delivered' }
  | { readonly kind: 'retry'; readonly dueAt: number }
  | { readonly kind: 'dead'; readonly reason: string; readonly last: SendOutcome | undefined; readonly event?: CloudEvent };

export function cursorName(trigger: Pick<TriggerConfig, 'key'>): string {
  return `trigger/${trigger.key}`;
}

export class TriggerDispatcher {
  readonly #plan: TriggerPlan;
  readonly #parts: TriggerDispatcherParts;
  readonly #cursor: string;
  readonly #logger: Logger;
  /** Whether each attempt is logged (decided once: the level is fixed at start). */
  readonly #debug: boolean;
  #inFlight = 0;
  #running = false;
  /** Woken when a delivery finishes (capacity) or the dispatcher stops. */
  readonly #capacityWaiters = new Set<() => void>();
  /** Woken when the dispatcher stops. */
  readonly #stopWaiters = new Set<() => void>();
  #readLoopDone: Promise<void> = Promise.resolve();
  #retries: RetryConsumer | undefined;
  readonly #idle = new Set<() => void>();
  /** How logs name it: `trigger default/t`, or its label (`Sequence default/s step 1`). */
  readonly #name: string;
  #droppedReplies = 0;
  readonly #deadLetterSink: DeadLetterSinkSender;
  /** Entries waiting behind another of their ordering key; they count against maxInFlight. */
  readonly #keyQueues = new KeyQueues<LogEntry>();

  constructor(plan: TriggerPlan, parts: TriggerDispatcherParts) {
    this.#plan = plan;
    this.#parts = parts;
    this.#cursor = cursorName(plan.trigger);
    this.#logger = parts.logger.child({ trigger: plan.trigger.key });
    this.#name = plan.trigger.label ?? `trigger ${plan.trigger.key}`;
    this.#deadLetterSink = new DeadLetterSinkSender(parts, plan.delivery, this.#logger, () => this.#running);
    this.#debug = this.#logger.isLevelEnabled('debug');
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  async start(): Promise<void> {
    const ordered = this.#plan.trigger.orderingKey !== undefined;
    await this.#parts.log.openCursor({ name: this.#cursor, broker: this.#plan.trigger.broker, onlyType: this.#plan.filter.requiredType, ...(ordered ? { exclusive: true } : {}) });
    this.#running = true;
    this.#readLoopDone = this.#readLoop();
    this.#retries = this.#parts.store.consumeRetries(this.#plan.trigger.key, this.#plan.trigger.maxInFlight, (retry) => this.#retry(retry));
  }

  /** Stops taking new work and waits for deliveries under way. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#wake(this.#capacityWaiters);
    this.#wake(this.#stopWaiters);
    await Promise.all([this.#readLoopDone, this.#retries?.stop()]);
    while (this.#inFlight > 0) await new Promise<void>((resolve) => this.#idle.add(resolve));
    // Not acknowledged: read again, in order, at the next start.
    this.#keyQueues.clear();
  }

  async #readLoop(): Promise<void> {
    while (this.#running) {
      try {
        // A tenth of the slots at a time: a trigger behind the log then reads in chunks rather than
        // one entry per finished delivery (one query and one wake-up each).
        await this.#capacity(Math.max(1, Math.floor(this.#plan.trigger.maxInFlight / 10)));
        if (!this.#running) break;
        const entries = await this.#parts.log.read(this.#cursor, this.#plan.trigger.maxInFlight - this.#busy(), 250);
        const rejected: string[] = [];
        const orderingKey = this.#plan.trigger.orderingKey;
        for (const entry of entries) {
          if (this.#plan.filter.match(entry.event) === 'fail') rejected.push(entry.offset);
          else if (orderingKey === undefined) this.#track(this.#first(entry));
          else this.#offerOrdered(orderingKeyOf(entry.event.attributes, orderingKey), entry);
        }
        // Not awaited: a filtered-out entry needs no durable acknowledgement (after a crash it is
        // filtered out again), and waiting for the commit would hold up the next read.
        if (rejected.length > 0) this.#parts.log.ack(this.#cursor, rejected).catch((error: unknown) => this.#logger.warn({ err: error }, 'acknowledging filtered-out events failed'));
      } catch (error) {
        this.#logger.error({ err: error }, 'reading the log failed; trying again in 1 s');
        await this.#sleep(1000, this.#stopWaiters);
      }
    }
  }

  /** A persisted retry has come due: it takes a delivery slot like an entry read from the log. */
  async #retry(retry: RetryEntry): Promise<RetryAnswer> {
    await this.#capacity();
    if (!this.#running) return { kind: 'again', dueAt: Date.now(), attempts: retry.attempts };
    const answer = this.#again(retry);
    this.#track(answer.then(() => undefined));
    return answer;
  }

  #track(work: Promise<void>): void {
    this.#inFlight++;
    work
      .catch((error: unknown) => this.#logger.error({ err: error }, 'delivery bookkeeping failed; the event will be delivered again'))
      .finally(() => {
        this.#inFlight--;
        this.#wake(this.#capacityWaiters);
        if (this.#inFlight === 0) for (const resolve of this.#idle) (this.#idle.delete(resolve), resolve());
      });
  }

  /** Deliveries under way, and entries waiting behind another of their ordering key. */
  #busy(): number {
    return this.#inFlight + this.#keyQueues.waiting;
  }

  /** Waits until `room` deliveries can start. */
  async #capacity(room = 1): Promise<void> {
    while (this.#running && this.#busy() > this.#plan.trigger.maxInFlight - room) await this.#sleep(1000, this.#capacityWaiters);
  }

  /** An entry of an ordered trigger goes now if none of its key is out, else waits its turn. */
  #offerOrdered(key: string, read: LogEntry): void {
    const entry = read.event.attributes[SOURCE_ORDERING_KEY] === undefined ? read : { ...read, event: withoutAttributes(read.event, [SOURCE_ORDERING_KEY]) };
    if (this.#keyQueues.offer(key, entry)) this.#track(this.#inOrder(key, entry));
  }

  /** Delivers `entry`, then each entry of its key that queued up meanwhile, one at a time. */
  async #inOrder(key: string, entry: LogEntry): Promise<void> {
    for (let next: LogEntry | undefined = entry; next !== undefined && this.#running; next = this.#keyQueues.done(key)) {
      try {
        await this.#untilDone(next);
      } catch (error) {
        // Only bookkeeping while stopping gets here; the entry, not acknowledged, comes again.
        this.#logger.error({ err: error }, 'delivery bookkeeping failed; the event will be delivered again');
      }
      this.#wake(this.#capacityWaiters);
    }
  }

  /**
   * Attempts until delivered or dead-lettered, waiting out each backoff in place (the key's next
   * event must not overtake). Stopping leaves the entry unacknowledged; the attempt count is not
   * kept across a restart, which starts the event's retries afresh.
   */
  async #untilDone(entry: LogEntry): Promise<void> {
    const attempts: Attempt[] = [];
    for (;;) {
      const verdict = await this.#attempt(entry.event, attempts);
      if (verdict.kind === 'retry') {
        await this.#sleep(Math.max(0, verdict.dueAt - Date.now()), this.#stopWaiters);
        if (!this.#running) return;
        continue;
      }
      if (verdict.kind === 'dead') await this.#deadLetter(verdict.event ?? entry.event, attempts, verdict);
      this.#parts.log.ack(this.#cursor, [entry.offset]).catch((error: unknown) => this.#logger.warn({ err: error }, 'acknowledging a delivered event failed; it may be delivered again'));
      return;
    }
  }

  /** Waits `ms`, or less when one of `waiters` is woken. */
  #sleep(ms: number, waiters: Set<() => void>): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        waiters.delete(done);
        resolve();
      };
      // setTimeout fires at once past 2^31 - 1 ms (24.8 days); a backoff may be longer.
      const timer = setTimeout(done, Math.min(ms, 2 ** 31 - 1));
      waiters.add(done);
    });
  }

  #wake(waiters: Set<() => void>): void {
    for (const wake of [...waiters]) wake();
  }

  /**
   * Writes an outcome that must be durable before the entry is acknowledged, trying again while
   * the store is unavailable (Redis restarting, say): the event keeps its delivery slot meanwhile,
   * so a store outage slows the trigger down instead of losing or stranding events. Gives up only
   * when the dispatcher stops; the entry, not acknowledged, is delivered again after that.
   */
  async #untilStored<T>(what: string, write: () => Promise<T>): Promise<T> {
    for (let failures = 0; ; failures++) {
      try {
        return await write();
      } catch (error) {
        if (!this.#running) throw error;
        if (failures % 20 === 0) this.#logger.warn({ err: error, failures: failures + 1 }, `${what} failed; trying again`);
        await this.#sleep(Math.min(2000, 50 * 2 ** Math.min(failures, 6)), this.#stopWaiters);
      }
    }
  }

  /** First attempt for an entry read from the log. */
  async #first(entry: LogEntry): Promise<void> {
    const attempts: Attempt[] = [];
    const verdict = await this.#attempt(entry.event, attempts);
    if (verdict.kind === 'retry') {
      const retry = { trigger: this.#plan.trigger.key, broker: this.#plan.trigger.broker, dueAt: verdict.dueAt, attempts, event: entry.event };
      await this.#untilStored('scheduling a retry', () => this.#parts.store.scheduleRetry(retry));
    } else if (verdict.kind === 'dead') {
      await this.#deadLetter(verdict.event ?? entry.event, attempts, verdict);
    }
    // The outcome is durable by now; the acknowledgement need not be waited for (a lost one only
    // means a redelivery), and waiting would hold this delivery's slot until the next cursor write.
    this.#parts.log.ack(this.#cursor, [entry.offset]).catch((error: unknown) => this.#logger.warn({ err: error }, 'acknowledging a delivered event failed; it may be delivered again'));
  }

  /** Another attempt for a persisted retry; the store applies the answer. */
  async #again(retry: RetryEntry): Promise<RetryAnswer> {
    const attempts = [...retry.attempts];
    const verdict = await this.#attempt(retry.event, attempts);
    if (verdict.kind === 'delivered') return { kind: 'done' };
    if (verdict.kind === 'retry') return { kind: 'again', dueAt: verdict.dueAt, attempts };
    if (verdict.event !== undefined) {
      // The reply was dead-lettered; the original event itself was delivered.
      await this.#deadLetter(verdict.event, attempts, verdict);
      return { kind: 'done' };
    }
    await this.#deadLetter(retry.event, attempts, verdict, retry.id);
    return { kind: 'done', failed: verdict.reason };
  }

  /** One attempt, and with `--log-level debug` a line saying how it went, so one event can be followed. */
  async #attempt(event: CloudEvent, attempts: Attempt[]): Promise<Verdict> {
    if (!this.#debug) return this.#attemptOnce(event, attempts);
    const number = attempts.length + 1;
    const started = performance.now();
    const answer: { status?: number | undefined } = {};
    const verdict = await this.#attemptOnce(event, attempts, answer);
    const last = attempts.length >= number ? attempts[attempts.length - 1] : undefined;
    this.#logger.debug(
      {
        event: event.attributes['id'],
        attempt: number,
        destination: this.#plan.subscriber.url,
        status: answer.status,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
        outcome: verdict.kind === 'retry' ? `retry at ${new Date(verdict.dueAt).toISOString()}` : verdict.kind === 'dead' ? `dead letter: ${verdict.reason}` : 'delivered',
        ...(last?.error === undefined ? {} : { error: last.error }),
      },
      'delivery attempt',
    );
    return verdict;
  }

  /** `answer` receives the destination's status, for the debug log. */
  async #attemptOnce(event: CloudEvent, attempts: Attempt[], answer?: { status?: number | undefined }): Promise<Verdict> {
    const at = new Date().toISOString();
    const ttl = event.attributes[BROKER_TTL];
    let outcome: SendOutcome;
    try {
      outcome = await this.#send(event);
    } catch (error) {
      // Nothing was sent (the event could not be rendered for its destination, say): trying again
      // cannot help, and an exception here would leave the entry unacknowledged and the cursor stuck.
      attempts.push({ at, error: `the event could not be sent: ${(error as Error).message}` });
      return { kind: 'dead', reason: `not sent: the event could not be sent to its destination (${(error as Error).message})`, last: undefined };
    }
    if (answer !== undefined) answer.status = outcome.status;
    if (outcome.kind === 'delivered') {
      if (outcome.reply === undefined || this.#plan.trigger.discardReplies === true) return { kind: 'delivered' };
      const replyTo = this.#plan.trigger.replyTo === undefined ? this.#plan.trigger.broker : this.#plan.trigger.replyTo;
      if (replyTo === null) {
        this.#replyDropped(outcome.reply);
        return { kind: 'delivered' };
      }
      const reply: CloudEvent = ttl === undefined ? outcome.reply : { ...outcome.reply, attributes: { ...outcome.reply.attributes, [BROKER_TTL]: ttl } };
      try {
        await this.#parts.publisher.publish(replyTo, [reply], `a reply to ${this.#name}`);
        return { kind: 'delivered' };
      } catch (error) {
        const code = error instanceof SwitchyardError ? error.code : undefined;
        if (code === 'SWY_TTL_EXHAUSTED' || code === 'SWY_EVENT_INVALID') {
          attempts.push({ at, status: outcome.status, error: `delivered; the reply was refused: ${(error as Error).message}` });
          const reason = code === 'SWY_TTL_EXHAUSTED' ? 'the reply ran out of hops (knativebrokerttl reached 0): a reply loop' : `the reply is not a valid event: ${(error as Error).message}`;
          return { kind: 'dead', reason, last: undefined, event: reply };
        }
        // Knative's rule (specs control-plane.md): if storing the reply fails, the delivery fails and is retried.
        return this.#failed(attempts, { kind: 'failed', status: undefined, body: new Uint8Array(), retryAfter: undefined, error: `storing the reply failed: ${(error as Error).message}` }, at);
      }
    }
    return this.#failed(attempts, outcome, at);
  }

  #failed(attempts: Attempt[], outcome: Extract<SendOutcome, { kind: 'failed' }>, at: string): Verdict {
    attempts.push({ at, status: outcome.status, error: outcome.error });
    const { delivery } = this.#plan;
    const retryable = isRetryable(outcome.status);
    if (retryable && attempts.length <= delivery.retry) {
      const wait = waitBeforeRetryMs({
        retry: attempts.length,
        policy: delivery.backoffPolicy,
        delayMs: delivery.backoffDelayMs,
        maxMs: delivery.backoffMaxMs,
        status: outcome.status,
        retryAfterMs: parseRetryAfter(outcome.retryAfter, Date.now()),
        retryAfterMaxMs: delivery.retryAfterMaxMs,
      });
      return { kind: 'retry', dueAt: Date.now() + wait };
    }
    const reason = retryable
      ? `retries exhausted: ${attempts.length} attempt${attempts.length === 1 ? '' : 's'} failed, the last with: ${outcome.error}`
      : `not retried: ${outcome.error} (only network errors, timeouts, 5xx, 404, 408, 409 and 429 are retried)`;
    return { kind: 'dead', reason, last: outcome };
  }

  /**
   * A reply with nowhere to go (a flow's last step without `reply`, a subscription without one):
   * dropped, as Knative does, and counted; logged on the 1st, 10th, 100th… so that a steady stream
   * of them costs no log volume.
   */
  #replyDropped(reply: CloudEvent): void {
    this.#droppedReplies++;
    const n = this.#droppedReplies;
    if (n === 10 ** Math.round(Math.log10(n))) {
      this.#logger.info({ dropped: n, event: reply.attributes['id'], type: reply.attributes['type'] }, `a reply was dropped: ${this.#name} has no reply destination (${n} so far)`);
    }
  }

  /** Replies dropped since the start because there was nowhere to send them. */
  get droppedReplies(): number {
    return this.#droppedReplies;
  }

  /** `event` carries its hop count: kept into a log of the platform's (so a loop through flows ends), removed for a sink. */
  async #send(withTtl: CloudEvent): Promise<SendOutcome> {
    const { subscriber, delivery, trigger } = this.#plan;
    if (subscriber.kind === 'broker') {
      try {
        await this.#parts.publisher.publish(subscriber.broker, [withTtl], this.#name);
        return { kind: 'delivered', status: 202, reply: undefined };
      } catch (error) {
        const code = error instanceof SwitchyardError ? error.code : undefined;
        // Not retried: the hop count will not grow back, and the event will not become valid.
        const status = code === 'SWY_TTL_EXHAUSTED' || code === 'SWY_EVENT_INVALID' ? 400 : undefined;
        return { kind: 'failed', status, body: new Uint8Array(), retryAfter: undefined, error: `publishing to ${subscriber.url} failed: ${(error as Error).message}` };
      }
    }
    const event = withoutAttributes(withTtl, [BROKER_TTL]);
    if (subscriber.kind === 'kafka') return produceToKafka(this.#parts.kafkaSinks, subscriber.sink, event);
    if (subscriber.kind === 'function') {
      const outcome = await this.#parts.functions.invoke(subscriber.function, event);
      if (outcome.ok) return { kind: 'delivered', status: 200, reply: outcome.reply };
      return { kind: 'failed', status: undefined, body: new Uint8Array(), retryAfter: undefined, error: outcome.error };
    }
    return this.#parts.sender.send(subscriber.url, event, { format: delivery.format, timeoutMs: delivery.timeoutMs, headers: { 'kn-namespace': trigger.namespace } });
  }

  async #deadLetter(event: CloudEvent, attempts: readonly Attempt[], verdict: Extract<Verdict, { kind: 'dead' }>, retryId?: string): Promise<void> {
    const { subscriber, deadLetterSink, trigger } = this.#plan;
    const attributes = { ...event.attributes, knativeerrordest: subscriber.url };
    const last = verdict.last;
    if (last?.kind === 'failed' && last.status !== undefined) Object.assign(attributes, { knativeerrorcode: last.status });
    if (last?.kind === 'failed' && last.body.byteLength > 0) Object.assign(attributes, { knativeerrordata: Buffer.from(last.body).toString('base64') });
    const dead: CloudEvent = { ...event, attributes };
    const id = await this.#untilStored('writing a dead letter', () => this.#parts.store.deadLetter(
      {
        broker: trigger.broker,
        trigger: trigger.key,
        event: dead,
        attempts,
        reason: verdict.reason,
        createdAt: Date.now(),
        deadLetterSink: deadLetterSink === undefined ? { state: 'none' } : { state: 'pending', destination: deadLetterSink.url },
      },
      retryId,
    ));
    this.#logger.warn({ deadLetter: id, event: event.attributes['id'], reason: verdict.reason }, 'event dead-lettered');
    if (deadLetterSink !== undefined) void this.deliverToDeadLetterSink(id, dead, deadLetterSink);
  }

  /** Sends a stored dead letter to the dead-letter sink (dead-letter-sink.ts); a restart resumes one still pending. */
  deliverToDeadLetterSink(id: string, event: CloudEvent, sink: ResolvedDestination): Promise<void> {
    return this.#deadLetterSink.deliver(id, event, sink);
  }
}
