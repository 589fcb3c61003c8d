/**
 * Sends a stored dead letter to its trigger's dead-letter sink with the trigger's retry rules, and
 * records the outcome on the stored entry. The entry stays `pending` until then, so a restart
 * resumes it (dispatcher.ts); a lease keeps two processes from sending the same one.
 */
import type { Logger } from 'pino';
import { BROKER_TTL, type CloudEvent, withoutAttributes } from '../cloudevents/cloud-event.ts';
import { isRetryable, waitBeforeRetryMs } from './delivery/backoff.ts';
import type { DeliveryOptions } from './delivery/delivery-options.ts';
import type { HttpSender, SendOutcome } from './delivery/http-sender.ts';
import type { DeliveryStore } from './delivery-store.ts';
import type { ResolvedDestination } from './destinations.ts';
import type { Publisher } from '../broker/publisher.ts';
import type { FunctionHost } from '../functions/function-host.ts';
import type { KafkaSinks } from '../../sources/kafka/kafka-sinks.ts';
import { produceToKafka } from './delivery/kafka-delivery.ts';

export interface DeadLetterSinkParts {
  readonly functions: FunctionHost;
  readonly kafkaSinks: KafkaSinks;
  readonly publisher: Publisher;
  readonly sender: HttpSender;
  readonly store: DeliveryStore;
}

/**
 * How long one process may hold the sending of a dead letter to its sink: longer than a send with
 * its retries usually takes. A lease outliving a process that died only delays the resumption.
 */
const DEAD_LETTER_SINK_LEASE_MS = 10 * 60_000;

export class DeadLetterSinkSender {
  constructor(
    private readonly parts: DeadLetterSinkParts,
    private readonly delivery: DeliveryOptions,
    private readonly logger: Logger,
    /** False once the trigger stops: no more retries then, the entry is recorded as failed. */
    private readonly running: () => boolean,
  ) {}

  async deliver(id: string, event: CloudEvent, sink: ResolvedDestination): Promise<void> {
    try {
      // Another process sending it already (it dead-lettered it, or resumed it first): leave it.
      if (await this.parts.store.leaseDeadLetterSink(id, DEAD_LETTER_SINK_LEASE_MS)) await this.#send(id, event, sink);
    } catch (error) {
      this.logger.error({ err: error, deadLetter: id }, 'sending to the dead-letter sink failed; the entry stays pending and is sent again at the next start');
    }
  }

  async #attempt(event: CloudEvent, sink: ResolvedDestination): Promise<SendOutcome> {
    if (sink.kind === 'function') {
      const r = await this.parts.functions.invoke(sink.function, event);
      return r.ok ? { kind: 'delivered', status: 200, reply: undefined } : { kind: 'failed', status: undefined, body: new Uint8Array(), retryAfter: undefined, error: r.error };
    }
    if (sink.kind === 'broker') {
      return this.parts.publisher.publish(sink.broker, [event]).then(
        (): SendOutcome => ({ kind: 'delivered', status: 202, reply: undefined }),
        (error: Error): SendOutcome => ({ kind: 'failed', status: undefined, body: new Uint8Array(), retryAfter: undefined, error: error.message }),
      );
    }
    if (sink.kind === 'kafka') return produceToKafka(this.parts.kafkaSinks, sink.sink, withoutAttributes(event, [BROKER_TTL]));
    return this.parts.sender.send(sink.url, withoutAttributes(event, [BROKER_TTL]), { format: this.delivery.format, timeoutMs: this.delivery.timeoutMs });
  }

  async #send(id: string, event: CloudEvent, sink: ResolvedDestination): Promise<void> {
    const { delivery } = this;
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.#attempt(event, sink);
      const at = new Date().toISOString();
      if (outcome.kind === 'delivered') {
        await this.parts.store.setDeadLetterSinkOutcome(id, { state: 'delivered', destination: sink.url, at });
        return;
      }
      if (!isRetryable(outcome.status) || attempt >= delivery.retry || !this.running()) {
        await this.parts.store.setDeadLetterSinkOutcome(id, { state: 'failed', destination: sink.url, at, error: outcome.error });
        this.logger.error({ deadLetter: id, error: outcome.error }, 'the dead-letter sink refused the event; it stays in the dead-letter store');
        return;
      }
      const wait = waitBeforeRetryMs({ retry: attempt + 1, policy: delivery.backoffPolicy, delayMs: delivery.backoffDelayMs, maxMs: delivery.backoffMaxMs });
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

