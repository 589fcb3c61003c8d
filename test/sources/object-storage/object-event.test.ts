import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { objectEvent } from '../../../sources/object-storage/object-event.ts';
import { decodeObjectKey, eventKind, s3EventRecordSchema } from '../../../sources/object-storage/s3-event-record.ts';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../fixtures/s3-events/${name}`, import.meta.url), 'utf8')) as { Records: unknown[] };
const record = (value: unknown) => s3EventRecordSchema.parse(value);

describe('S3 event record → CloudEvent (CloudEvents AWS S3 adapter)', () => {
  it("AWS: type, source, subject, time, id from the request's ids, the record as JSON data", () => {
    const [raw] = fixture('aws-s3-objectcreated-put-v2.1.json').Records;
    const event = objectEvent(record(raw), 1);
    expect(event.attributes).toEqual({
      specversion: '1.0',
      id: 'C3D13FE58DE4C810.FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD',
      source: 'aws:s3.us-west-2.mybucket',
      type: 'com.amazonaws.s3.ObjectCreated:Put',
      subject: 'HappyFace.jpg',
      time: '1970-01-01T00:00:00.000Z',
      datacontenttype: 'application/json',
    });
    expect(JSON.parse(Buffer.from(event.data ?? []).toString('utf8'))).toEqual(raw);
  });

  it("MinIO: the s3: prefix is stripped from the type; the empty region leaves two dots; MinIO's own fields stay in the data", () => {
    const body = fixture('minio-objectcreated-put-webhook.json');
    const event = objectEvent(record(body.Records[0]), body.Records.length);
    expect(event.attributes).toMatchObject({ id: '15C319FC231726B5', source: 'minio:s3..images', type: 'com.amazonaws.s3.ObjectCreated:Put', subject: 'test7.jpg', time: '2019-09-10T14:27:46Z' });
    expect(JSON.parse(Buffer.from(event.data ?? []).toString('utf8')).source.userAgent).toMatch(/^MinIO/);
  });

  it('several records of one request (a multi-object delete; RGW repeats x-amz-id-2): each id made unique with key and sequencer', () => {
    const [raw] = fixture('aws-s3-objectcreated-put-v2.1.json').Records as Array<Record<string, unknown> & { s3: { object: Record<string, unknown> } }>;
    const removed = (key: string, sequencer: string) => record({ ...raw, eventName: 'ObjectRemoved:Delete', s3: { ...raw?.s3, object: { key, sequencer } } });
    const ids = [removed('a.txt', '01'), removed('b.txt', '02')].map((r) => objectEvent(r, 2).attributes['id']);
    expect(ids).toEqual(['C3D13FE58DE4C810.FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD.a.txt.01', 'C3D13FE58DE4C810.FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD.b.txt.02']);
  });

  it('a record without request ids (a polled listing) gets an id from source, bucket, key and sequencer or eTag and time', () => {
    const polled = record({ eventSource: 'polling', eventTime: '2026-12-02T10:00:00Z', eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'b' }, object: { key: 'k', eTag: 'e1' } } });
    expect(objectEvent(polled, 1).attributes).toMatchObject({ id: 'polling.b.k.e1@2026-12-02T10:00:00Z', source: 'polling..b' });
  });

  it('keys are decoded as S3 encodes them: + for a space, %XX for the rest; an undecodable key is kept', () => {
    expect(decodeObjectKey('red+flower.jpg')).toBe('red flower.jpg');
    expect(decodeObjectKey('photos/%C3%A9t%C3%A9+2026%2B.jpg')).toBe('photos/été 2026+.jpg');
    expect(decodeObjectKey('100%')).toBe('100%');
  });

  it('created and removed kinds; other event names are neither', () => {
    expect(eventKind('ObjectCreated:CompleteMultipartUpload')).toBe('created');
    expect(eventKind('ObjectRemoved:DeleteMarkerCreated')).toBe('removed');
    expect(eventKind('ObjectRestore:Post')).toBeUndefined();
  });

  it('a record missing what the mapping needs is refused with the field named', () => {
    const result = s3EventRecordSchema.safeParse({ eventSource: 'aws:s3', eventTime: 'yesterday', eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'b' }, object: {} } });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join('.')).sort()).toEqual(['eventTime', 's3.object.key']);
  });
});
