/**
 * An S3 event record → the CloudEvent of the CloudEvents AWS S3 adapter (cloudevents/spec
 * cloudevents/adapters/aws-s3.md): type `com.amazonaws.s3.<eventName>`, source
 * `<eventSource>.<awsRegion>.<bucket>`, subject the object key, time `eventTime`, data the record
 * as JSON. Pure: plain values in, an event out.
 *
 * The adapter's id, `<x-amz-request-id>.<x-amz-id-2>`, is the same for every record of one request
 * (a multi-object delete) and RGW's `x-amz-id-2` is a constant, so a request with several records
 * appends `.<key>.<sequencer>` to each: otherwise ids repeat and consumers that deduplicate by id
 * (and the dead-letter store's views) would fold distinct events into one.
 */
import type { CloudEvent } from '../../services/cloudevents/cloud-event.ts';
import { type NormalizedRecord, normalizeRecord, type S3EventRecord } from './s3-event-record.ts';

export const S3_TYPE_PREFIX = 'com.amazonaws.s3.';

/** `siblings`: how many records the notification carried (one request, or one polling diff). */
export function objectEvent(record: S3EventRecord, siblings: number): CloudEvent {
  const normalized = normalizeRecord(record);
  return {
    attributes: {
      specversion: '1.0',
      id: eventId(normalized, siblings),
      source: `${normalized.eventSource}.${normalized.region}.${normalized.bucket}`,
      type: `${S3_TYPE_PREFIX}${normalized.eventName}`,
      subject: normalized.key,
      time: normalized.time,
      datacontenttype: 'application/json',
    },
    data: Buffer.from(JSON.stringify(record)),
    dataEncoding: 'json',
  };
}

/**
 * The adapter's id when the record has the request's ids and is alone; otherwise made unique with
 * the key and the sequencer (or, without one, the eTag and time: a polled listing has no request).
 */
export function eventId(record: NormalizedRecord, siblings: number): string {
  const request = [record.requestId, record.hostId].filter((part) => part !== undefined && part !== '').join('.');
  if (request !== '' && siblings <= 1) return request;
  const distinct = record.sequencer ?? `${record.eTag ?? ''}@${record.time}`;
  return `${request === '' ? `${record.eventSource}.${record.bucket}` : request}.${record.key}.${distinct}`;
}
