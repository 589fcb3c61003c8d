/**
 * Builds one TriggerDispatcher per trigger from the runtime configuration (filters compiled and
 * delivery options merged here, once) and starts and stops them together.
 */
import type { RuntimeConfig, TriggerConfig } from '../manifests/runtime-config.ts';
import { CesqlErrorLog } from './cesql-error-log.ts';
import { mergeDelivery } from './delivery/delivery-options.ts';
import { type DestinationOptions, resolveDestination } from './destinations.ts';
import { compileTriggerFilter } from './filters/compile-trigger-filter.ts';
import { TriggerDispatcher } from './trigger-dispatcher.ts';
import type { TriggerDispatcherParts, TriggerPlan } from './trigger-plan.ts';

export interface DispatcherParts extends TriggerDispatcherParts {
  readonly destinations: DestinationOptions;
}

export function planTrigger(config: RuntimeConfig, trigger: TriggerConfig, destinations: DestinationOptions, cesqlErrors?: CesqlErrorLog): TriggerPlan {
  const broker = config.brokers.get(trigger.broker);
  const delivery = mergeDelivery(broker?.delivery, trigger.spec.delivery);
  return {
    trigger,
    filter: compileTriggerFilter(trigger.spec, cesqlErrors?.forTrigger(trigger.key)),
    delivery,
    subscriber: resolveDestination(trigger.spec.subscriber, trigger.namespace, destinations),
    deadLetterSink: delivery.deadLetterSink === undefined ? undefined : resolveDestination(delivery.deadLetterSink, trigger.namespace, destinations),
  };
}

export class Dispatcher {
  readonly #plans: TriggerPlan[] = [];
  readonly #dispatchers = new Map<string, TriggerDispatcher>();
  /** CESQL evaluation errors, counted per trigger. */
  readonly cesqlErrors: CesqlErrorLog;

  /** Plans every trigger. Destinations were checked before (runtime-checks.ts): each resolves. */
  constructor(
    config: RuntimeConfig,
    private readonly parts: DispatcherParts,
  ) {
    this.cesqlErrors = new CesqlErrorLog(parts.logger);
    for (const trigger of config.triggers) {
      if (config.brokers.has(trigger.broker)) this.#plans.push(planTrigger(config, trigger, parts.destinations, this.cesqlErrors));
    }
  }

  async start(): Promise<void> {
    for (const plan of this.#plans) {
      const dispatcher = new TriggerDispatcher(plan, this.parts);
      await dispatcher.start();
      this.#dispatchers.set(plan.trigger.key, dispatcher);
      if (plan.deadLetterSink !== undefined) await this.#resumeDeadLetterSink(dispatcher, plan);
    }
  }

  /** Dead letters whose trip to the dead-letter sink was cut short by a stop or a crash go now. */
  async #resumeDeadLetterSink(dispatcher: TriggerDispatcher, plan: TriggerPlan): Promise<void> {
    const sink = plan.deadLetterSink;
    if (sink === undefined) return;
    const pending = (await this.parts.store.listDeadLetters({ trigger: plan.trigger.key })).filter((d) => d.deadLetterSink.state === 'pending');
    for (const entry of pending) void dispatcher.deliverToDeadLetterSink(entry.id, entry.event, sink);
  }

  get(trigger: string): TriggerDispatcher | undefined {
    return this.#dispatchers.get(trigger);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.#dispatchers.values()].map((d) => d.stop()));
  }
}
