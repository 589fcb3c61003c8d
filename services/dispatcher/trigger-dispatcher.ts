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
import { type CloudEvent, SOURCE_ORDERING_KEY, withoutAttributes } from '../cloudevents/cloud-event.ts';
import type { LogEntry } from '../broker/event-log.ts';
import type { TriggerConfig } from '../manifests/runtime-config.ts';
import type { Attempt, RetryAnswer, RetryConsumer, RetryEntry } from './delivery-store.ts';
import type { ResolvedDestination } from './destinations.ts';
import { AckBatcher } from './ack-batcher.ts';
import { DeadLetterSinkSender } from './dead-letter-sink.ts';
import { DeliveryAttempts, type Verdict } from './delivery-attempt.ts';
import { KeyQueues, orderingKeyOf } from './ordering/key-queues.ts';
import type { TriggerDispatcherParts, TriggerPlan } from './trigger-plan.ts';

export function cursorName(trigger: Pick<TriggerConfig, 'key'>): string {
  return `trigger/${trigger.key}`;
}

export class TriggerDispatcher {
  readonly #plan: TriggerPlan;
  readonly #parts: TriggerDispatcherParts;
  readonly #cursor: string;
  readonly #logger: Logger;
  #inFlight = 0;
  #running = false;
  /** Waiting for `room` free slots; woken when a delivery finishes and leaves that much, or the dispatcher stops. */
  readonly #capacityWaiters = new Set<{ readonly room: number; readonly resolve: () => void }>();
  /** Woken when the dispatcher stops. */
  readonly #stopWaiters = new Set<() => void>();
  #readLoopDone: Promise<void> = Promise.resolve();
  #retries: RetryConsumer | undefined;
  readonly #idle = new Set<() => void>();
  /** How logs name it: `trigger default/t`, or its label (`Sequence default/s step 1`). */
  readonly #name: string;
  readonly #attempts: DeliveryAttempts;
  readonly #deadLetterSink: DeadLetterSinkSender;
  /** Entries waiting behind another of their ordering key; they count against maxInFlight. */
  readonly #keyQueues = new KeyQueues<LogEntry>();
  readonly #acks: AckBatcher;

  constructor(plan: TriggerPlan, parts: TriggerDispatcherParts) {
    this.#plan = plan;
    this.#parts = parts;
    this.#cursor = cursorName(plan.trigger);
    this.#logger = parts.logger.child({ trigger: plan.trigger.key });
    this.#name = plan.trigger.label ?? `trigger ${plan.trigger.key}`;
    this.#deadLetterSink = new DeadLetterSinkSender(parts, plan.delivery, this.#logger, () => this.#running);
    this.#attempts = new DeliveryAttempts(plan, parts, this.#logger, this.#name);
    this.#acks = new AckBatcher(
      (offsets) => parts.log.ack(this.#cursor, offsets),
      (error: unknown) => this.#logger.warn({ err: error }, 'acknowledging delivered or filtered-out events failed; they may be delivered again'),
    );
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
    this.#wakeCapacity();
    this.#wake(this.#stopWaiters);
    await Promise.all([this.#readLoopDone, this.#retries?.stop()]);
    while (this.#inFlight > 0) await new Promise<void>((resolve) => this.#idle.add(resolve));
    this.#acks.flush();
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
        const orderingKey = this.#plan.trigger.orderingKey;
        for (const entry of entries) {
          // A filtered-out entry is acknowledged with the delivered ones: it needs no durable
          // acknowledgement (after a crash it is filtered out again).
          if (this.#plan.filter.match(entry.event) === 'fail') this.#acks.add(entry.offset);
          else if (orderingKey === undefined) this.#track(this.#first(entry));
          else this.#offerOrdered(orderingKeyOf(entry.event.attributes, orderingKey), entry);
        }
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
        this.#wakeCapacity();
        if (this.#inFlight === 0) for (const resolve of this.#idle) (this.#idle.delete(resolve), resolve());
      });
  }

  /** Deliveries under way, and entries waiting behind another of their ordering key. */
  #busy(): number {
    return this.#inFlight + this.#keyQueues.waiting;
  }

  /**
   * Waits until `room` deliveries can start. Woken by every finished delivery and by stop(), so no
   * timer: a timer per wait (a 1 s safety net) was ~800 bytes and a timer-list update per
   * delivered event in bench:kafka's allocation profile.
   */
  async #capacity(room = 1): Promise<void> {
    while (this.#running && !this.#hasRoom(room)) await new Promise<void>((resolve) => this.#capacityWaiters.add({ room, resolve }));
  }

  #hasRoom(room: number): boolean {
    return this.#busy() <= this.#plan.trigger.maxInFlight - room;
  }

  /** Wakes the capacity waiters that now have their room (all of them once stopped). */
  #wakeCapacity(): void {
    if (this.#capacityWaiters.size === 0) return;
    for (const waiter of this.#capacityWaiters) {
      if (this.#running && !this.#hasRoom(waiter.room)) continue;
      this.#capacityWaiters.delete(waiter);
      waiter.resolve();
    }
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
      this.#wakeCapacity();
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
      this.#acks.add(entry.offset);
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

  /** Wakes every waiter once; a waiter that still has to wait adds itself again. */
  #wake(waiters: Set<() => void>): void {
    if (waiters.size === 0) return;
    const woken = [...waiters];
    waiters.clear();
    for (const wake of woken) wake();
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
    this.#acks.add(entry.offset);
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

  /** Replies dropped since the start because there was nowhere to send them. */
  get droppedReplies(): number {
    return this.#attempts.droppedReplies;
  }

  #attempt(event: CloudEvent, attempts: Attempt[]): Promise<Verdict> {
    return this.#attempts.attempt(event, attempts);
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
