/**
 * The typed, frozen configuration the platform's parts receive. Built once from validated
 * manifests; durations are milliseconds here, defaults applied.
 */
import { INGRESS_TOKEN_ENV, INGRESS_TOKEN_FILE, RETENTION_MAX_AGE, RETENTION_MAX_COUNT } from '../../schemas/broker.schema.ts';
import type { SecretSource } from '../../schemas/webhooksource.schema.ts';
import type { DeliverySpec } from '../../schemas/delivery.schema.ts';
import { parseDuration } from '../../schemas/duration.ts';
import { DEFAULT_MAX_IN_FLIGHT, MAX_IN_FLIGHT, ORDERING_KEY, type TriggerManifest } from '../../schemas/trigger.schema.ts';
import type { BrokerKey, Retention } from '../broker/event-log.ts';
import { channelConfig, type FlowConfig, parallelConfig, sequenceConfig, subscriptionConfig } from '../flows/flow-config.ts';
import type { LoadedManifests, ManifestSource } from './load-manifests.ts';
import type { FieldPath } from './manifest-source.ts';
import { type KafkaSinkConfig, kafkaSinkConfig, type KafkaSourceConfig, kafkaSourceConfig, type PingSourceConfig, type WebhookSourceConfig, pingSourceConfig, webhookSourceConfig } from './source-config.ts';

export type { KafkaSinkConfig, KafkaSourceConfig, PingSourceConfig, WebhookSourceConfig } from './source-config.ts';
export type { FlowConfig } from '../flows/flow-config.ts';

export interface BrokerConfig {
  readonly key: BrokerKey;
  /** A log the platform keeps for itself (a source's outbox, a channel, a flow's step): not served at the broker ingress. */
  readonly internal?: boolean | undefined;
  /** Where an internal log takes events over HTTP: a Channel's, a Sequence's or a Parallel's path. */
  readonly path?: string | undefined;
  readonly namespace: string;
  readonly name: string;
  readonly delivery: DeliverySpec | undefined;
  readonly retention: Retention;
  /** Publishing needs a token from here (read when the platform starts). */
  readonly ingressToken?: { readonly secret: SecretSource; readonly path: readonly string[] } | undefined;
  readonly source: ManifestSource;
}

export interface TriggerConfig {
  /** `namespace/name` */
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  readonly broker: BrokerKey;
  readonly spec: TriggerManifest['spec'];
  readonly maxInFlight: number;
  /**
   * Deliver in order per value of this attribute (the `switchyard.dev/ordering-key` annotation, or
   * an ordered KafkaSource's partition): one event of a value at a time, retried in place.
   */
  readonly orderingKey?: string | undefined;
  readonly source: ManifestSource;
  /** A reply from the subscriber is dropped instead of published (a source's delivery, as Knative's adapters do). */
  readonly discardReplies?: boolean | undefined;
  /**
   * Where a reply is stored: the trigger's broker when undefined (a Trigger), another log (a flow's
   * next step, a subscription's reply), or nowhere when null (dropped and counted, as Knative does).
   */
  readonly replyTo?: BrokerKey | null | undefined;
  /** What to call it in logs, when its key is not what the user wrote: `Sequence default/s step 1`. */
  readonly label?: string | undefined;
  /** Where the subscriber is written in `source`: `spec.subscriber`, a source's `spec.sink`, a step `spec.steps[1]`. */
  readonly subscriberPath: FieldPath;
  /** Where its `delivery` is written in `source`, when not `spec.delivery`. */
  readonly deliveryPath?: FieldPath | undefined;
}

export interface FunctionConfig {
  /** `namespace/name` */
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  readonly handlerPath: string;
  readonly timeoutMs: number;
  readonly concurrency: number;
  readonly env: Readonly<Record<string, string>>;
  readonly source: ManifestSource;
}

export interface RuntimeConfig {
  readonly brokers: ReadonlyMap<BrokerKey, BrokerConfig>;
  readonly triggers: readonly TriggerConfig[];
  readonly functions: ReadonlyMap<string, FunctionConfig>;
  readonly pingSources: readonly PingSourceConfig[];
  readonly webhookSources: readonly WebhookSourceConfig[];
  readonly kafkaSources: readonly KafkaSourceConfig[];
  /** KafkaSinks by `namespace/name`. */
  readonly kafkaSinks: ReadonlyMap<string, KafkaSinkConfig>;
  /** Channels, Subscriptions, Sequences and Parallels: their wiring (their logs and triggers are in brokers and triggers). */
  readonly flows: readonly FlowConfig[];
}

export const DEFAULT_FUNCTION_TIMEOUT_MS = 30_000;

function ingressToken(annotations: Readonly<Record<string, string>>): BrokerConfig['ingressToken'] {
  const env = annotations[INGRESS_TOKEN_ENV];
  if (env !== undefined) return { secret: { env }, path: ['metadata', 'annotations', INGRESS_TOKEN_ENV] };
  const file = annotations[INGRESS_TOKEN_FILE];
  return file === undefined ? undefined : { secret: { file }, path: ['metadata', 'annotations', INGRESS_TOKEN_FILE] };
}

/** The triggers users declared, without those delivering a source's outbox (source-config.ts) or a flow's channels (flow-config.ts). */
export function declaredTriggers(config: RuntimeConfig): TriggerConfig[] {
  return config.triggers.filter((trigger) => config.brokers.get(trigger.broker)?.internal !== true);
}

/** Every trigger a dead letter can name: declared ones, and those a flow is built from (not a source's outbox, named after its source). */
export function deadLetterTriggers(config: RuntimeConfig): TriggerConfig[] {
  return config.triggers.filter((trigger) => config.brokers.get(trigger.broker)?.internal !== true || trigger.label !== undefined);
}

export function compileConfig(loaded: LoadedManifests): RuntimeConfig {
  const brokers = new Map<BrokerKey, BrokerConfig>();
  for (const broker of loaded.brokers) {
    const annotations = broker.manifest.metadata.annotations ?? {};
    const maxAge = annotations[RETENTION_MAX_AGE];
    const maxCount = annotations[RETENTION_MAX_COUNT];
    const key = `${broker.namespace}/${broker.name}`;
    brokers.set(
      key,
      Object.freeze({
        key,
        namespace: broker.namespace,
        name: broker.name,
        delivery: broker.manifest.spec?.delivery,
        retention: Object.freeze({
          maxAgeMs: maxAge === undefined ? undefined : parseDuration(maxAge),
          maxCount: maxCount === undefined ? undefined : Number(maxCount),
        }),
        ingressToken: ingressToken(annotations),
        source: broker.source,
      }),
    );
  }
  const triggers: TriggerConfig[] = loaded.triggers.map((trigger) =>
    Object.freeze({
      key: `${trigger.namespace}/${trigger.name}`,
      namespace: trigger.namespace,
      name: trigger.name,
      broker: `${trigger.namespace}/${trigger.manifest.spec.broker}`,
      spec: trigger.manifest.spec,
      maxInFlight: Number(trigger.manifest.metadata.annotations?.[MAX_IN_FLIGHT] ?? DEFAULT_MAX_IN_FLIGHT),
      orderingKey: trigger.manifest.metadata.annotations?.[ORDERING_KEY],
      source: trigger.source,
      subscriberPath: ['spec', 'subscriber'],
    }),
  );
  const functions = new Map<string, FunctionConfig>();
  for (const fn of loaded.functions) {
    const key = `${fn.namespace}/${fn.name}`;
    functions.set(
      key,
      Object.freeze({
        key,
        namespace: fn.namespace,
        name: fn.name,
        handlerPath: fn.handlerPath,
        timeoutMs: fn.manifest.spec.timeout === undefined ? DEFAULT_FUNCTION_TIMEOUT_MS : (parseDuration(fn.manifest.spec.timeout) as number),
        concurrency: fn.manifest.spec.concurrency ?? 1,
        env: Object.freeze({ ...(fn.manifest.spec.env ?? {}) }),
        source: fn.source,
      }),
    );
  }
  const outboxes = { brokers, triggers };
  const pingSources = loaded.pingSources.map((ping) => pingSourceConfig(ping, outboxes));
  const webhookSources = loaded.webhookSources.map((webhook) => webhookSourceConfig(webhook, outboxes));
  const kafkaSources = loaded.kafkaSources.map((kafka) => kafkaSourceConfig(kafka, outboxes));
  const flows = [
    ...loaded.channels.map((channel) => channelConfig(channel, outboxes)),
    ...loaded.subscriptions.map((subscription) => subscriptionConfig(subscription, outboxes)),
    ...loaded.sequences.map((sequence) => sequenceConfig(sequence, outboxes)),
    ...loaded.parallels.map((parallel) => parallelConfig(parallel, outboxes)),
  ];
  return Object.freeze({
    brokers,
    triggers: Object.freeze(triggers),
    functions,
    pingSources: Object.freeze(pingSources),
    webhookSources: Object.freeze(webhookSources),
    kafkaSources: Object.freeze(kafkaSources),
    kafkaSinks: new Map(loaded.kafkaSinks.map((sink) => [`${sink.namespace}/${sink.name}`, kafkaSinkConfig(sink)])),
    flows: Object.freeze(flows),
  });
}
