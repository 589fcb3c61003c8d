/**
 * How the Redis engine reads a CloudEvent from stream fields (`a` the attributes as JSON, `d` the
 * data bytes, `e` the data encoding; append-batcher.ts writes them), and writes one as a JSON value
 * (data as base64) inside a dead letter or a BullMQ job. The data encoding is kept so an
 * event reads back the way it was published.
 */
import type { AttributeValue, CloudEvent, DataEncoding } from '../../cloudevents/cloud-event.ts';

/** The `e` field: how the data is written in the JSON format, one letter. */
export const ENCODING_CODES: Readonly<Record<DataEncoding, string>> = { json: 'j', text: 't', base64: 'b' };
const CODE_ENCODINGS = Object.fromEntries(Object.entries(ENCODING_CODES).map(([encoding, code]) => [code, encoding])) as Record<string, DataEncoding>;

export function eventFromFields(fields: readonly Buffer[]): CloudEvent {
  let attributes: Record<string, AttributeValue> = {};
  let data: Uint8Array | undefined;
  let dataEncoding: DataEncoding | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = (fields[i] as Buffer).toString();
    const value = fields[i + 1] as Buffer;
    if (name === 'a') attributes = JSON.parse(value.toString()) as Record<string, AttributeValue>;
    else if (name === 'd') data = value;
    else if (name === 'e') dataEncoding = CODE_ENCODINGS[value.toString()];
  }
  return { attributes, data, dataEncoding };
}

/** The JSON form, for dead letters and jobs. */
export interface StoredEvent {
  readonly attributes: Readonly<Record<string, AttributeValue>>;
  readonly data?: string | undefined;
  readonly dataEncoding?: DataEncoding | undefined;
}

export function toStoredEvent(event: CloudEvent): StoredEvent {
  return {
    attributes: event.attributes,
    data: event.data === undefined ? undefined : Buffer.from(event.data.buffer, event.data.byteOffset, event.data.byteLength).toString('base64'),
    dataEncoding: event.dataEncoding,
  };
}

export function fromStoredEvent(stored: StoredEvent): CloudEvent {
  return {
    attributes: stored.attributes,
    data: stored.data === undefined ? undefined : Buffer.from(stored.data, 'base64'),
    dataEncoding: stored.dataEncoding,
  };
}
