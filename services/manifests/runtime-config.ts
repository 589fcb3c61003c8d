/**
 * The typed, frozen configuration the platform's parts receive. Built once from validated
 * manifests; durations are milliseconds here, defaults applied.
 */
import { RETENTION_MAX_AGE, RETENTION_MAX_COUNT } from '../../schemas/broker.schema.ts';
import type { DeliverySpec } from '../../schemas/delivery.schema.ts';
import { parseDuration } from '../../schemas/duration.ts';
import { MAX_IN_FLIGHT, type TriggerManifest } from '../../schemas/trigger.schema.ts';
import type { BrokerKey, Retention } from '../broker/event-log.ts';
import type { LoadedManifests, ManifestSource } from './load-manifests.ts';
import { CATCH_UP, DEFAULT_PING_SCHEDULE } from '../../schemas/pingsource.schema.ts';
import { type PingSchedule, parsePingSchedule } from '../../sources/ping/ping-schedule.ts';
import type { AttributeValue, CloudEvent } from '../cloudevents/cloud-event.ts';
import { resolveDataEncoding } from '../cloudevents/json-format.ts';

export interface BrokerConfig {
  readonly key: BrokerKey;
  /** A broker the platform keeps for itself (a source's outbox): not served at the ingress. */
  readonly internal?: boolean | undefined;
  readonly namespace: string;
  readonly name: string;
  readonly delivery: DeliverySpec | undefined;
  readonly retention: Retention;
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
  readonly source: ManifestSource;
  /** A reply from the subscriber is dropped instead of published (a source's delivery, as Knative's adapters do). */
  readonly discardReplies?: boolean | undefined;
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
  /** The internal broker ticks are written to; an internal trigger delivers them to the sink. */
  readonly outbox: BrokerKey;
  readonly source: ManifestSource;
}

export interface RuntimeConfig {
  readonly brokers: ReadonlyMap<BrokerKey, BrokerConfig>;
  readonly triggers: readonly TriggerConfig[];
  readonly functions: ReadonlyMap<string, FunctionConfig>;
  readonly pingSources: readonly PingSourceConfig[];
}

export const DEFAULT_FUNCTION_TIMEOUT_MS = 30_000;

export const DEFAULT_MAX_IN_FLIGHT = 100;

/** Knative's PingSource event type (pkg/apis/sources/v1/ping_lifecycle.go). */
export const PING_EVENT_TYPE = 'dev.knative.sources.ping';
/** Entries a PingSource's outbox keeps once delivered. */
const OUTBOX_KEEP = 1000;

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
      source: trigger.source,
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
  const pingSources = loaded.pingSources.map((ping) => pingSourceConfig(ping, brokers, triggers));
  return Object.freeze({ brokers, triggers: Object.freeze(triggers), functions, pingSources: Object.freeze(pingSources) });
}

/**
 * A PingSource's ticks are written to an internal broker (its outbox) and an internal trigger
 * delivers them to the sink: a tick is durable before it is delivered, and delivery has the
 * retries, backoff and dead letters of any trigger. Knative retries a ping 5 times with
 * exponential backoff from 50 ms (pkg/adapter/mtping); so does this trigger, and then dead-letters.
 * `:` cannot appear in a Kubernetes name, so the outbox never collides with a user's broker.
 */
function pingSourceConfig(ping: LoadedManifests['pingSources'][number], brokers: Map<BrokerKey, BrokerConfig>, triggers: TriggerConfig[]): PingSourceConfig {
  const { spec, metadata } = ping.manifest;
  const outboxName = `pingsource:${ping.name}`;
  const outbox = `${ping.namespace}/${outboxName}`;
  brokers.set(
    outbox,
    Object.freeze({
      key: outbox,
      internal: true,
      namespace: ping.namespace,
      name: outboxName,
      delivery: { retry: 5, backoffPolicy: 'exponential' as const, backoffDelay: 'PT0.05S' },
      // The newest entry is the last fire; retention never removes what is not delivered yet.
      retention: Object.freeze({ maxAgeMs: undefined, maxCount: OUTBOX_KEEP }),
      source: ping.source,
    }),
  );
  triggers.push(
    Object.freeze({
      key: outbox,
      namespace: ping.namespace,
      name: outboxName,
      broker: outbox,
      spec: { broker: outboxName, subscriber: spec.sink },
      maxInFlight: DEFAULT_MAX_IN_FLIGHT,
      source: ping.source,
      discardReplies: true,
    }),
  );
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
