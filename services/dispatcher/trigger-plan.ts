/** What a TriggerDispatcher is given: its plan (compiled once, dispatcher.ts) and the platform's parts it delivers through. */
import type { Logger } from 'pino';
import type { EventLog } from '../broker/event-log.ts';
import type { Publisher } from '../broker/publisher.ts';
import type { FunctionHost } from '../functions/function-host.ts';
import type { KafkaSinks } from '../../sources/kafka/kafka-sinks.ts';
import type { TriggerConfig } from '../manifests/runtime-config.ts';
import type { DeliveryOptions } from './delivery/delivery-options.ts';
import type { HttpSender } from './delivery/http-sender.ts';
import type { DeliveryStore } from './delivery-store.ts';
import type { ResolvedDestination } from './destinations.ts';
import type { Filter } from './filters/filter.ts';

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
