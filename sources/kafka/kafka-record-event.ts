/**
 * A Kafka record as the CloudEvent Knative's KafkaSource makes of it (eventing-kafka-broker
 * data-plane CloudEventDeserializer.java, InvalidCloudEventInterceptor.java;
 * ../docs/sources.md has the table). Pure: a record in, an event or the reason it cannot be one out.
 *
 * - A record that already is a CloudEvent (Kafka protocol binding 1.0: `ce_` headers in binary
 *   mode, or `content-type: application/cloudevents+json` in structured mode) passes unchanged.
 * - Otherwise: type `dev.knative.kafka.event`, source `/apis/v1/namespaces/<ns>/kafkasources/
 *   <name>#<topic>`, subject `partition:<p>#<offset>`, id `partition:<p>/offset:<offset>`, time the
 *   record's timestamp, `key` and `partitionkey` from the key per the key type, each header `H` as
 *   `kafkaheader<h>` (lower-cased, `[a-z0-9]` only), the `content-type` header as `datacontenttype`,
 *   data the value's bytes.
 */
import type { AttributeValue, CloudEvent } from '../../services/cloudevents/cloud-event.ts';
import { eventFromJson, jsonDataTooDeep, TOO_DEEP_RULE } from '../../services/cloudevents/json-format.ts';
import { validateAttributes } from '../../services/cloudevents/validate-attributes.ts';

export const KAFKA_EVENT_TYPE = 'dev.knative.kafka.event';
export const KEY_TYPE_LABEL = 'kafkasources.sources.knative.dev/key-type';
export const KEY_TYPES = ['string', 'int', 'float', 'byte-array'] as const;
export type KeyType = (typeof KEY_TYPES)[number];

export interface KafkaRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  /** Milliseconds since the epoch, as Kafka gives it (a string in kafkajs). */
  readonly timestamp: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, Buffer | string | ReadonlyArray<Buffer | string> | undefined>>;
}

export interface SourceIdentity {
  readonly namespace: string;
  readonly name: string;
  readonly keyType: KeyType;
  /** `ceOverrides.extensions`, set on every synthesised event. */
  readonly extensions: Readonly<Record<string, AttributeValue>>;
}

export type RecordOutcome = { readonly ok: true; readonly event: CloudEvent } | { readonly ok: false; readonly reason: string };

const STRUCTURED = 'application/cloudevents+json';

function text(value: Buffer | string | ReadonlyArray<Buffer | string> | undefined): string | undefined {
  if (value === undefined) return undefined;
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : typeof first === 'string' ? first : (first as Buffer).toString('utf8');
}

/** Knative's key deserialisers: int only from 4 bytes, float from 4 or 8, else the key as a string. */
export function keyValue(key: Buffer, keyType: KeyType): AttributeValue {
  if (keyType === 'int' && key.byteLength === 4) return key.readInt32BE(0);
  if (keyType === 'float' && key.byteLength === 4) return String(key.readFloatBE(0));
  if (keyType === 'float' && key.byteLength === 8) return String(key.readDoubleBE(0));
  if (keyType === 'byte-array') return key.toString('base64');
  return key.toString('utf8');
}

export function headerExtension(header: string): string {
  return `kafkaheader${header.toLowerCase().replace(/[^a-z0-9]/g, '')}`;
}

function hasAny(record: Readonly<Record<string, unknown>>): boolean {
  for (const _ in record) return true;
  return false;
}

/** The events' `source` per source and topic, made once rather than for every record. */
const eventSources = new WeakMap<SourceIdentity, Map<string, string>>();

function eventSource(source: SourceIdentity, topic: string): string {
  let byTopic = eventSources.get(source);
  if (byTopic === undefined) {
    byTopic = new Map();
    eventSources.set(source, byTopic);
  }
  let value = byTopic.get(topic);
  if (value === undefined) {
    value = `/apis/v1/namespaces/${source.namespace}/kafkasources/${source.name}#${topic}`;
    byTopic.set(topic, value);
  }
  return value;
}

function violationsText(violations: ReadonlyArray<{ attribute: string; rule: string }>): string {
  return violations.map((v) => `${v.attribute}: ${v.rule}`).join('; ');
}

function binaryEvent(record: KafkaRecord): RecordOutcome {
  const attributes: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(record.headers)) {
    const lower = name.toLowerCase();
    if (lower.startsWith('ce_')) attributes[lower.slice(3)] = text(value);
    else if (lower === 'content-type') attributes['datacontenttype'] = text(value);
  }
  const violations = validateAttributes(attributes);
  if (violations.length > 0) return { ok: false, reason: `the record has ce_ headers but is not a valid CloudEvent: ${violationsText(violations)}` };
  const data = record.value ?? undefined;
  if (jsonDataTooDeep(attributes['datacontenttype'], data)) return { ok: false, reason: `the record's CloudEvent is invalid: data: ${TOO_DEEP_RULE}` };
  return { ok: true, event: { attributes: attributes as Record<string, AttributeValue>, data } };
}

function structuredEvent(record: KafkaRecord): RecordOutcome {
  let parsed: unknown;
  try {
    parsed = JSON.parse((record.value ?? Buffer.alloc(0)).toString('utf8'));
  } catch (error) {
    return { ok: false, reason: `the record says ${STRUCTURED} but its value is not JSON: ${(error as Error).message}` };
  }
  const outcome = eventFromJson(parsed);
  if (!outcome.ok) return { ok: false, reason: `the record's structured CloudEvent is invalid: ${violationsText(outcome.violations)}` };
  return { ok: true, event: outcome.event };
}

export function recordToEvent(record: KafkaRecord, source: SourceIdentity): RecordOutcome {
  let hasHeaders = false;
  let contentType: string | undefined;
  for (const name in record.headers) {
    hasHeaders = true;
    const lower = name.toLowerCase();
    if (lower === 'ce_specversion') return binaryEvent(record);
    if (lower === 'content-type') contentType ??= text(record.headers[name]);
  }
  if (contentType?.toLowerCase().startsWith(STRUCTURED)) return structuredEvent(record);
  const event = synthesizedEvent(record, source);
  // Without headers and ceOverrides every attribute is valid by construction (the id, subject and
  // time from numbers, the source from validated names and a Kafka topic name, [a-zA-Z0-9._-]):
  // validating them anyway allocated ~500 bytes per record (bench:kafka's allocation profile).
  if (!hasHeaders && !hasAny(source.extensions)) return { ok: true, event };
  const violations = validateAttributes(event.attributes);
  if (violations.length > 0) return { ok: false, reason: `the record cannot become a CloudEvent: ${violationsText(violations)}` };
  if (jsonDataTooDeep(event.attributes['datacontenttype'], event.data)) return { ok: false, reason: `the record cannot become a CloudEvent: data: ${TOO_DEEP_RULE}` };
  return { ok: true, event };
}

/**
 * The event Knative synthesises for a record, whatever its headers say: what a record that claims
 * to be a CloudEvent and is not is dead-lettered as, so that its topic, partition, offset, key and
 * bytes are kept with the reason.
 */
export function synthesizedEvent(record: KafkaRecord, source: SourceIdentity): CloudEvent {
  const attributes: Record<string, AttributeValue> = {
    specversion: '1.0',
    id: `partition:${record.partition}/offset:${record.offset}`,
    source: eventSource(source, record.topic),
    type: KAFKA_EVENT_TYPE,
    subject: `partition:${record.partition}#${record.offset}`,
    time: new Date(Number(record.timestamp)).toISOString(),
  };
  if (record.key !== null) {
    const key = keyValue(record.key, source.keyType);
    attributes['key'] = key;
    attributes['partitionkey'] = key;
  }
  for (const name in record.headers) {
    const value = text(record.headers[name]);
    if (value === undefined) continue;
    attributes[headerExtension(name)] = value;
    if (name.toLowerCase() === 'content-type') attributes['datacontenttype'] = value.toLowerCase();
  }
  Object.assign(attributes, source.extensions);
  return { attributes, data: record.value ?? undefined };
}
