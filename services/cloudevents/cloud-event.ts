/**
 * The platform's CloudEvent: attributes (context attributes and extensions together, as the
 * specification treats them) and the data as bytes. Bytes, not a parsed value, because a
 * binary-mode event must reach its sink byte for byte as it was published.
 */
export type AttributeValue = string | number | boolean;

/**
 * How `data` is written in the JSON event format (CloudEvents JSON format §3.1): as a JSON value,
 * as a JSON string, or as `data_base64`. Decided once when the event arrives, so an event reads
 * back the way it was published.
 */
export type DataEncoding = 'json' | 'text' | 'base64';

export interface CloudEvent {
  readonly attributes: Readonly<Record<string, AttributeValue>>;
  readonly data?: Uint8Array | undefined;
  readonly dataEncoding?: DataEncoding | undefined;
}

export const REQUIRED_ATTRIBUTES = ['specversion', 'id', 'source', 'type'] as const;
export const OPTIONAL_ATTRIBUTES = ['datacontenttype', 'dataschema', 'subject', 'time'] as const;

/** Knative's extensions, stamped by the broker's ingress (knative/eventing pkg/broker). */
export const ARRIVAL_TIME = 'knativearrivaltime';
export const BROKER_TTL = 'knativebrokerttl';
export const DEFAULT_MAX_TTL = 255;

/**
 * Set by a source on the events of its outbox that must reach the sink in order (an ordered
 * KafkaSource: `<topic>/<partition>`); the outbox's trigger orders by it and removes it before
 * anything leaves, so no sink or dead letter sees it.
 */
export const SOURCE_ORDERING_KEY = 'switchyardorderkey';

/**
 * The event's own attribute of that name: never one inherited from Object.prototype (a filter on
 * `constructor` must not find JavaScript's Object function).
 */
export function attributeOf(attributes: Readonly<Record<string, unknown>>, name: string): unknown {
  return Object.hasOwn(attributes, name) ? attributes[name] : undefined;
}

/**
 * `__proto__` cannot be an attribute: assigned to a plain object it sets the prototype instead (a
 * structured event's `"__proto__": {...}` would make its members look like attributes), so the
 * edges that read names from outside refuse it (validate-attributes.ts says why).
 */
export const PROTO = '__proto__';

export function attributeString(event: CloudEvent, name: string): string | undefined {
  const value = attributeOf(event.attributes, name);
  return value === undefined ? undefined : String(value);
}

/** The event without the named attributes (the same object when it has none of them). */
export function withoutAttributes(event: CloudEvent, names: readonly string[]): CloudEvent {
  if (!names.some((name) => event.attributes[name] !== undefined)) return event;
  const attributes: Record<string, AttributeValue> = {};
  for (const name in event.attributes) if (!names.includes(name)) attributes[name] = event.attributes[name] as AttributeValue;
  return { ...event, attributes };
}
