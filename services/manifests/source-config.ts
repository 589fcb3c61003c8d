/**
 * Sources in the runtime configuration. Every source writes what it produces to its own outbox,
 * an internal broker, and an internal trigger delivers from there to the source's sink: an event
 * is durable before it is delivered, and delivery has the retries, backoff and dead letters of
 * any trigger. The outbox is `<ns>/<kind>:<name>`; `:` cannot appear in a Kubernetes name, so it
 * never collides with a user's broker, and internal brokers are not served at the ingress.
 */
import { CATCH_UP, DEFAULT_PING_SCHEDULE, type PingSourceManifest } from '../../schemas/pingsource.schema.ts';
import type { WebhookSourceManifest } from '../../schemas/webhooksource.schema.ts';
import { DEFAULT_MAX_BACKLOG, type KafkaSourceManifest, MAX_BACKLOG } from '../../schemas/kafkasource.schema.ts';
import type { KafkaSinkManifest } from '../../schemas/kafkasink.schema.ts';
import { KEY_TYPE_LABEL, type KeyType } from '../../sources/kafka/kafka-record-event.ts';
import type { Destination } from '../../schemas/common.schema.ts';
import type { DeliverySpec } from '../../schemas/delivery.schema.ts';
import { parseDuration } from '../../schemas/duration.ts';
import { type PingSchedule, parsePingSchedule } from '../../sources/ping/ping-schedule.ts';
import type { WebhookEventSpec } from '../../sources/webhook/webhook-event.ts';
import type { BrokerKey } from '../broker/event-log.ts';
import { type AttributeValue, type CloudEvent, SOURCE_ORDERING_KEY } from '../cloudevents/cloud-event.ts';
import { resolveDataEncoding } from '../cloudevents/json-format.ts';
import type { LoadedResource, ManifestSource } from './load-manifests.ts';
import { DEFAULT_MAX_IN_FLIGHT } from '../../schemas/trigger.schema.ts';
import type { BrokerConfig, TriggerConfig } from './runtime-config.ts';

/** Knative's PingSource event type (pkg/apis/sources/v1/ping_lifecycle.go). */
export const PING_EVENT_TYPE = 'dev.knative.sources.ping';
/** Entries an outbox keeps once delivered (its newest is a PingSource's last fire). */
const OUTBOX_KEEP = 1000;
/** Knative's adapters retry a send 5 times with exponential backoff from 50 ms (pkg/adapter/mtping). */
const SOURCE_DELIVERY: DeliverySpec = { retry: 5, backoffPolicy: 'exponential', backoffDelay: 'PT0.05S' };

export interface PingSourceConfig {
  /** `namespace/name` */
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  readonly schedule: PingSchedule;
  /** Every tick's event but for `id` and `time`. */
  readonly event: CloudEvent;
  /** Ticks missed while the platform was down are replayed up to this age; none when undefined. */
  readonly catchUpMs: number | undefined;
  readonly outbox: BrokerKey;
  readonly source: ManifestSource;
}

export interface WebhookSourceConfig {
  /** `namespace/name` */
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  /** As written; secrets are read when the platform starts. */
  readonly auth: WebhookSourceManifest['spec']['auth'];
  readonly event: WebhookEventSpec;
  readonly outbox: BrokerKey;
  readonly source: ManifestSource;
}

export interface KafkaSourceConfig {
  /** `namespace/name` */
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  readonly bootstrapServers: readonly string[];
  readonly topics: readonly string[];
  /** `spec.consumerGroup`, else `switchyard-<namespace>-<name>`: stable, so a restart resumes where the group was. */
  readonly groupId: string;
  /** `initialOffset: earliest`; honoured by Kafka only while the group has no committed offset. */
  readonly fromBeginning: boolean;
  readonly consumers: number;
  readonly ordering: 'ordered' | 'unordered';
  /** Outbox backlog above which the consumer pauses its partitions (`switchyard.dev/max-backlog`). */
  readonly maxBacklog: number;
  readonly keyType: KeyType;
  readonly extensions: Readonly<Record<string, AttributeValue>>;
  /** As written; secrets are read when the platform starts (--secrets-dir). */
  readonly net: KafkaSourceManifest['spec']['net'];
  readonly outbox: BrokerKey;
  readonly source: ManifestSource;
}

export function defaultConsumerGroup(namespace: string, name: string): string {
  return `switchyard-${namespace}-${name}`;
}

interface Outboxes {
  readonly brokers: Map<BrokerKey, BrokerConfig>;
  readonly triggers: TriggerConfig[];
}

function addOutbox(kind: string, resource: LoadedResource<unknown>, sink: Destination, outboxes: Outboxes, delivery?: DeliverySpec, orderingKey?: string): BrokerKey {
  const name = `${kind}:${resource.name}`;
  const key = `${resource.namespace}/${name}`;
  outboxes.brokers.set(
    key,
    Object.freeze({
      key,
      internal: true,
      namespace: resource.namespace,
      name,
      delivery: SOURCE_DELIVERY,
      // Retention never removes what is not delivered yet.
      retention: Object.freeze({ maxAgeMs: undefined, maxCount: OUTBOX_KEEP }),
      source: resource.source,
    }),
  );
  outboxes.triggers.push(
    Object.freeze({
      key,
      namespace: resource.namespace,
      name,
      broker: key,
      spec: { broker: name, subscriber: sink, ...(delivery === undefined ? {} : { delivery }) },
      maxInFlight: DEFAULT_MAX_IN_FLIGHT,
      ...(orderingKey === undefined ? {} : { orderingKey }),
      source: resource.source,
      // Knative's adapters ignore what a sink answers.
      discardReplies: true,
      subscriberPath: ['spec', 'sink'],
    }),
  );
  return key;
}

export function pingSourceConfig(ping: LoadedResource<PingSourceManifest>, outboxes: Outboxes): PingSourceConfig {
  const { spec, metadata } = ping.manifest;
  const outbox = addOutbox('pingsource', ping, spec.sink, outboxes);
  const parsed = parsePingSchedule(spec.schedule ?? DEFAULT_PING_SCHEDULE, spec.timezone);
  if (!parsed.ok) throw new Error(`PingSource ${ping.namespace}/${ping.name} passed validation with an invalid schedule: ${parsed.message}`);
  const data = spec.data !== undefined ? Buffer.from(spec.data, 'utf8') : spec.dataBase64 !== undefined ? Buffer.from(spec.dataBase64, 'base64') : undefined;
  const attributes: Record<string, AttributeValue> = {
    specversion: '1.0',
    type: PING_EVENT_TYPE,
    source: `/apis/v1/namespaces/${ping.namespace}/pingsources/${ping.name}`,
    ...(spec.contentType === undefined ? {} : { datacontenttype: spec.contentType }),
    ...(spec.ceOverrides?.extensions ?? {}),
  };
  const event: CloudEvent = { attributes, data };
  const catchUp = metadata.annotations?.[CATCH_UP];
  return Object.freeze({
    key: `${ping.namespace}/${ping.name}`,
    namespace: ping.namespace,
    name: ping.name,
    schedule: parsed.schedule,
    event: { ...event, dataEncoding: resolveDataEncoding(event) },
    catchUpMs: catchUp === undefined ? undefined : parseDuration(catchUp),
    outbox,
    source: ping.source,
  });
}

export function webhookSourceConfig(webhook: LoadedResource<WebhookSourceManifest>, outboxes: Outboxes): WebhookSourceConfig {
  const { spec } = webhook.manifest;
  const outbox = addOutbox('webhooksource', webhook, spec.sink, outboxes);
  const valueOrHeader = (v: string | { header: string } | undefined) => (v === undefined ? undefined : typeof v === 'string' ? { value: v } : { header: v.header });
  return Object.freeze({
    key: `${webhook.namespace}/${webhook.name}`,
    namespace: webhook.namespace,
    name: webhook.name,
    auth: spec.auth,
    event: {
      type: valueOrHeader(spec.event?.type),
      source: valueOrHeader(spec.event?.source),
      idHeader: spec.event?.id?.header,
      github: spec.auth?.github !== undefined,
      extensions: {
        method: spec.extensions?.method ?? false,
        path: spec.extensions?.path ?? false,
        query: spec.extensions?.query ?? false,
        headers: spec.extensions?.headers ?? [],
      },
      defaultSource: `/apis/v1alpha1/namespaces/${webhook.namespace}/webhooksources/${webhook.name}`,
    },
    outbox,
    source: webhook.source,
  });
}

export function kafkaSourceConfig(kafka: LoadedResource<KafkaSourceManifest>, outboxes: Outboxes): KafkaSourceConfig {
  const { spec, metadata } = kafka.manifest;
  const ordering = spec.ordering ?? 'ordered';
  // Knative's ordered mode: a partition's records reach the sink one at a time, in offset order.
  const outbox = addOutbox('kafkasource', kafka, spec.sink, outboxes, spec.delivery, ordering === 'ordered' ? SOURCE_ORDERING_KEY : undefined);
  return Object.freeze({
    key: `${kafka.namespace}/${kafka.name}`,
    namespace: kafka.namespace,
    name: kafka.name,
    bootstrapServers: Object.freeze([...spec.bootstrapServers]),
    topics: Object.freeze([...spec.topics]),
    groupId: spec.consumerGroup ?? defaultConsumerGroup(kafka.namespace, kafka.name),
    fromBeginning: spec.initialOffset === 'earliest',
    consumers: spec.consumers ?? 1,
    ordering,
    maxBacklog: Number(metadata.annotations?.[MAX_BACKLOG] ?? DEFAULT_MAX_BACKLOG),
    keyType: (metadata.labels?.[KEY_TYPE_LABEL] as KeyType | undefined) ?? 'string',
    extensions: Object.freeze({ ...(spec.ceOverrides?.extensions ?? {}) }),
    net: spec.net,
    outbox,
    source: kafka.source,
  });
}

export interface KafkaSinkConfig {
  /** `namespace/name` */
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  readonly topic: string;
  readonly bootstrapServers: readonly string[];
  readonly contentMode: 'binary' | 'structured';
  /** The secret `auth.secret.ref.name` names, read from --secrets-dir when the platform starts. */
  readonly authSecret: string | undefined;
  readonly source: ManifestSource;
}

export function kafkaSinkConfig(sink: LoadedResource<KafkaSinkManifest>): KafkaSinkConfig {
  const { spec } = sink.manifest;
  return Object.freeze({
    key: `${sink.namespace}/${sink.name}`,
    namespace: sink.namespace,
    name: sink.name,
    topic: spec.topic,
    bootstrapServers: Object.freeze([...spec.bootstrapServers]),
    contentMode: spec.contentMode ?? 'binary',
    authSecret: spec.auth?.secret.ref.name,
    source: sink.source,
  });
}
