/**
 * The S3 event notification record (AWS's "Records" entries, as Ceph RGW and MinIO send them too),
 * parsed at the edge: only the fields the platform reads are checked, everything else is kept as
 * it came, since the record itself becomes the event's data.
 *
 * Provider differences (../shared/reference/test-infrastructure.md §2.2, recorded payloads in
 * test/fixtures/s3-events/): MinIO prefixes `eventName` with `s3:`; RGW and MinIO send an empty
 * `awsRegion`; AWS URL-encodes the object key (spaces as `+`); RGW's `x-amz-id-2` is a constant.
 */
import { z } from 'zod';

const s3Object = z.looseObject({
  key: z.string().min(1),
  size: z.number().nonnegative().optional(),
  eTag: z.string().optional(),
  versionId: z.string().optional(),
  sequencer: z.string().optional(),
});

export const s3EventRecordSchema = z.looseObject({
  eventSource: z.string().min(1),
  awsRegion: z.string().default(''),
  eventTime: z.iso.datetime({ offset: true }),
  eventName: z.string().min(1),
  responseElements: z.looseObject({ 'x-amz-request-id': z.string().optional(), 'x-amz-id-2': z.string().optional() }).optional(),
  s3: z.looseObject({ bucket: z.looseObject({ name: z.string().min(1) }), object: s3Object }),
});

export type S3EventRecord = z.infer<typeof s3EventRecordSchema>;

/** What the platform reads of a record: the event name without MinIO's `s3:`, and the key decoded. */
export interface NormalizedRecord {
  /** `ObjectCreated:Put`, `ObjectRemoved:Delete`… */
  readonly eventName: string;
  readonly eventSource: string;
  readonly region: string;
  readonly bucket: string;
  /** The object key as stored, not as encoded in the notification. */
  readonly key: string;
  readonly time: string;
  readonly sequencer: string | undefined;
  readonly eTag: string | undefined;
  readonly requestId: string | undefined;
  readonly hostId: string | undefined;
}

/**
 * S3 URL-encodes keys in notifications the way HTML forms do: `+` for a space, `%XX` for the
 * rest (AWS docs "Event message structure": "The s3 key provides information about the bucket
 * and object involved in the event. The object key name value is URL encoded."). A key that does
 * not decode (a lone `%`) is kept as it came.
 */
export function decodeObjectKey(encoded: string): string {
  try {
    return decodeURIComponent(encoded.replace(/\+/g, ' '));
  } catch {
    return encoded;
  }
}

export function normalizeRecord(record: S3EventRecord): NormalizedRecord {
  const object = record.s3.object;
  return {
    eventName: record.eventName.startsWith('s3:') ? record.eventName.slice(3) : record.eventName,
    eventSource: record.eventSource,
    region: record.awsRegion,
    bucket: record.s3.bucket.name,
    key: decodeObjectKey(object.key),
    time: record.eventTime,
    sequencer: object.sequencer,
    eTag: object.eTag,
    requestId: record.responseElements?.['x-amz-request-id'],
    hostId: record.responseElements?.['x-amz-id-2'],
  };
}

/** `created` for ObjectCreated:*, `removed` for ObjectRemoved:*, else undefined (replication, lifecycle… not emitted). */
export function eventKind(eventName: string): 'created' | 'removed' | undefined {
  if (eventName.startsWith('ObjectCreated:')) return 'created';
  if (eventName.startsWith('ObjectRemoved:')) return 'removed';
  return undefined;
}
