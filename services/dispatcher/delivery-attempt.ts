/**
 * One delivery attempt of a trigger and its verdict: send the event to the subscriber (HTTP, a
 * Function, a KafkaSink, or a log of the platform), store a reply where it goes, and judge the
 * outcome against the delivery options: delivered, retry at a time, or dead (with the reason).
 * What is done with the verdict (a retry scheduled, a dead letter written, the entry acknowledged)
 * is the dispatcher's (trigger-dispatcher.ts).
 */
import type { Logger } from 'pino';
import { BROKER_TTL, type CloudEvent, withoutAttributes } from '../cloudevents/cloud-event.ts';
import { SwitchyardError } from '../errors.ts';
import { isRetryable, parseRetryAfter, waitBeforeRetryMs } from './delivery/backoff.ts';
import type { SendOutcome } from './delivery/http-sender.ts';
import { produceToKafka } from './delivery/kafka-delivery.ts';
import type { Attempt } from './delivery-store.ts';
import type { TriggerDispatcherParts, TriggerPlan } from './trigger-plan.ts';

export type Verdict =
  | { readonly kind: 'delivered' }
  | { readonly kind: 'retry'; readonly dueAt: number }
  | { readonly kind: 'dead'; readonly reason: string; readonly last: SendOutcome | undefined; readonly event?: CloudEvent };

export class DeliveryAttempts {
  /** Whether each attempt is logged (decided once: the level is fixed at start). */
  readonly #debug: boolean;
  #droppedReplies = 0;

  constructor(
    private readonly plan: TriggerPlan,
    private readonly parts: Pick<TriggerDispatcherParts, 'sender' | 'functions' | 'kafkaSinks' | 'publisher'>,
    private readonly logger: Logger,
    /** How logs name the trigger: `trigger default/t`, or its label. */
    private readonly name: string,
  ) {
    this.#debug = logger.isLevelEnabled('debug');
  }

  /** One attempt, and with `--log-level debug` a line saying how it went, so one event can be followed. */
  async attempt(event: CloudEvent, attempts: Attempt[]): Promise<Verdict> {
    if (!this.#debug) return this.#attemptOnce(event, attempts);
    const number = attempts.length + 1;
    const started = performance.now();
    const answer: { status?: number | undefined } = {};
    const verdict = await this.#attemptOnce(event, attempts, answer);
    const last = attempts.length >= number ? attempts[attempts.length - 1] : undefined;
    this.logger.debug(
      {
        event: event.attributes['id'],
        attempt: number,
        destination: this.plan.subscriber.url,
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
    // The start time is kept as a number and written out only for a failed attempt: a Date and
    // an ISO string for every delivery showed in bench:kafka's profile, and a success records none.
    const startedAt = Date.now();
    const ttl = event.attributes[BROKER_TTL];
    let outcome: SendOutcome;
    try {
      outcome = await this.#send(event);
    } catch (error) {
      // Nothing was sent (the event could not be rendered for its destination, say): trying again
      // cannot help, and an exception here would leave the entry unacknowledged and the cursor stuck.
      attempts.push({ at: new Date(startedAt).toISOString(), error: `the event could not be sent: ${(error as Error).message}` });
      return { kind: 'dead', reason: `not sent: the event could not be sent to its destination (${(error as Error).message})`, last: undefined };
    }
    if (answer !== undefined) answer.status = outcome.status;
    if (outcome.kind === 'delivered') {
      if (outcome.reply === undefined || this.plan.trigger.discardReplies === true) return { kind: 'delivered' };
      const replyTo = this.plan.trigger.replyTo === undefined ? this.plan.trigger.broker : this.plan.trigger.replyTo;
      if (replyTo === null) {
        this.#replyDropped(outcome.reply);
        return { kind: 'delivered' };
      }
      const reply: CloudEvent = ttl === undefined ? outcome.reply : { ...outcome.reply, attributes: { ...outcome.reply.attributes, [BROKER_TTL]: ttl } };
      try {
        await this.parts.publisher.publish(replyTo, [reply], `a reply to ${this.name}`);
        return { kind: 'delivered' };
      } catch (error) {
        const code = error instanceof SwitchyardError ? error.code : undefined;
        if (code === 'SWY_TTL_EXHAUSTED' || code === 'SWY_EVENT_INVALID') {
          attempts.push({ at: new Date(startedAt).toISOString(), status: outcome.status, error: `delivered; the reply was refused: ${(error as Error).message}` });
          const reason = code === 'SWY_TTL_EXHAUSTED' ? 'the reply ran out of hops (knativebrokerttl reached 0): a reply loop' : `the reply is not a valid event: ${(error as Error).message}`;
          return { kind: 'dead', reason, last: undefined, event: reply };
        }
        // Knative's rule (specs control-plane.md): if storing the reply fails, the delivery fails and is retried.
        return this.#failed(attempts, { kind: 'failed', status: undefined, body: new Uint8Array(), retryAfter: undefined, error: `storing the reply failed: ${(error as Error).message}` }, startedAt);
      }
    }
    return this.#failed(attempts, outcome, startedAt);
  }

  #failed(attempts: Attempt[], outcome: Extract<SendOutcome, { kind: 'failed' }>, startedAt: number): Verdict {
    attempts.push({ at: new Date(startedAt).toISOString(), status: outcome.status, error: outcome.error });
    const { delivery } = this.plan;
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
      this.logger.info({ dropped: n, event: reply.attributes['id'], type: reply.attributes['type'] }, `a reply was dropped: ${this.name} has no reply destination (${n} so far)`);
    }
  }

  /** Replies dropped since the start because there was nowhere to send them. */
  get droppedReplies(): number {
    return this.#droppedReplies;
  }

  /** `event` carries its hop count: kept into a log of the platform's (so a loop through flows ends), removed for a sink. */
  async #send(withTtl: CloudEvent): Promise<SendOutcome> {
    const { subscriber, delivery, trigger } = this.plan;
    if (subscriber.kind === 'broker') {
      try {
        await this.parts.publisher.publish(subscriber.broker, [withTtl], this.name);
        return { kind: 'delivered', status: 202, reply: undefined };
      } catch (error) {
        const code = error instanceof SwitchyardError ? error.code : undefined;
        // Not retried: the hop count will not grow back, and the event will not become valid.
        const status = code === 'SWY_TTL_EXHAUSTED' || code === 'SWY_EVENT_INVALID' ? 400 : undefined;
        return { kind: 'failed', status, body: new Uint8Array(), retryAfter: undefined, error: `publishing to ${subscriber.url} failed: ${(error as Error).message}` };
      }
    }
    const event = withoutAttributes(withTtl, [BROKER_TTL]);
    if (subscriber.kind === 'kafka') return produceToKafka(this.parts.kafkaSinks, subscriber.sink, event);
    if (subscriber.kind === 'function') {
      const outcome = await this.parts.functions.invoke(subscriber.function, event);
      if (outcome.ok) return { kind: 'delivered', status: 200, reply: outcome.reply };
      return { kind: 'failed', status: undefined, body: new Uint8Array(), retryAfter: undefined, error: outcome.error };
    }
    return this.parts.sender.send(subscriber.url, event, { format: delivery.format, timeoutMs: delivery.timeoutMs, headers: { 'kn-namespace': trigger.namespace } });
  }
}
