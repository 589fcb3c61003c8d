/** Record → CloudEvent as Knative's KafkaSource makes it (pure). */
import { describe, expect, it } from 'vitest';
import { type KafkaRecord, headerExtension, keyValue, recordToEvent } from '../../../sources/kafka/kafka-record-event.ts';

const source = { namespace: 'shop', name: 'orders', keyType: 'string' as const, extensions: {} };
const record = (over: Partial<KafkaRecord> = {}): KafkaRecord => ({
  topic: 'orders',
  partition: 2,
  offset: '41',
  timestamp: String(Date.UTC(2026, 11, 2, 10, 0, 0, 123)),
  key: Buffer.from('customer-7'),
  value: Buffer.from('{"order":7}'),
  headers: {},
  ...over,
});

describe('Kafka record → CloudEvent', () => {
  it("synthesises Knative's event: type, source with #topic, subject and id from partition and offset, time, key and partitionkey, data the bytes", () => {
    const outcome = recordToEvent(record(), source);
    expect(outcome).toEqual({
      ok: true,
      event: {
        attributes: {
          specversion: '1.0',
          id: 'partition:2/offset:41',
          source: '/apis/v1/namespaces/shop/kafkasources/orders#orders',
          type: 'dev.knative.kafka.event',
          subject: 'partition:2#41',
          time: '2026-12-02T10:00:00.123Z',
          key: 'customer-7',
          partitionkey: 'customer-7',
        },
        data: Buffer.from('{"order":7}'),
      },
    });
  });

  it('headers become kafkaheader<name> (lower-cased, [a-z0-9] only); content-type also becomes datacontenttype', () => {
    const outcome = recordToEvent(record({ headers: { 'X-Trace_ID': Buffer.from('abc'), 'Content-Type': Buffer.from('Application/JSON') } }), source);
    expect(outcome.ok && outcome.event.attributes).toMatchObject({ kafkaheaderxtraceid: 'abc', kafkaheadercontenttype: 'Application/JSON', datacontenttype: 'application/json' });
    expect(headerExtension('my-header.2')).toBe('kafkaheadermyheader2');
  });

  it('a record without key has neither key nor partitionkey; ceOverrides extensions are added', () => {
    const outcome = recordToEvent(record({ key: null }), { ...source, extensions: { team: 'shop' } });
    expect(outcome.ok && Object.keys(outcome.event.attributes)).not.toContain('key');
    expect(outcome.ok && outcome.event.attributes['team']).toBe('shop');
  });

  it('keys per key type: int from 4 bytes, float from 4 or 8, byte-array as base64, otherwise the string', () => {
    const int = Buffer.alloc(4);
    int.writeInt32BE(-42);
    expect(keyValue(int, 'int')).toBe(-42);
    expect(keyValue(Buffer.from('12345'), 'int')).toBe('12345');
    const double = Buffer.alloc(8);
    double.writeDoubleBE(3.25);
    expect(keyValue(double, 'float')).toBe('3.25');
    const single = Buffer.alloc(4);
    single.writeFloatBE(1.5);
    expect(keyValue(single, 'float')).toBe('1.5');
    expect(keyValue(Buffer.from([0, 255, 1]), 'byte-array')).toBe('AP8B');
    expect(keyValue(Buffer.from('plain'), 'string')).toBe('plain');
  });

  it('a binary-mode CloudEvent record (ce_ headers) passes through unchanged', () => {
    const headers = { ce_specversion: '1.0', ce_id: 'evt-1', ce_source: '/producer', ce_type: 'com.example.x', ce_team: 'a', 'content-type': 'text/plain' };
    const outcome = recordToEvent(record({ headers, value: Buffer.from('hello') }), source);
    expect(outcome).toEqual({
      ok: true,
      event: { attributes: { specversion: '1.0', id: 'evt-1', source: '/producer', type: 'com.example.x', team: 'a', datacontenttype: 'text/plain' }, data: Buffer.from('hello') },
    });
  });

  it('a structured-mode CloudEvent record passes through unchanged', () => {
    const value = Buffer.from(JSON.stringify({ specversion: '1.0', id: 's-1', source: '/p', type: 't', data: { a: 1 } }));
    const outcome = recordToEvent(record({ headers: { 'content-type': 'application/cloudevents+json; charset=utf-8' }, value }), source);
    expect(outcome.ok && outcome.event.attributes).toEqual({ specversion: '1.0', id: 's-1', source: '/p', type: 't' });
    expect(outcome.ok && Buffer.from(outcome.event.data ?? []).toString()).toBe('{"a":1}');
  });

  it('a record that claims to be a CloudEvent and is not is refused with the reason', () => {
    expect(recordToEvent(record({ headers: { ce_specversion: '1.0', ce_id: 'x' } }), source)).toMatchObject({ ok: false, reason: expect.stringMatching(/^the record has ce_ headers but is not a valid CloudEvent: source: /) });
    expect(recordToEvent(record({ headers: { 'content-type': 'application/cloudevents+json' }, value: Buffer.from('{not json') }), source)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^the record says application\/cloudevents\+json but its value is not JSON/),
    });
    expect(recordToEvent(record({ headers: { 'content-type': 'application/json' }, value: Buffer.from('['.repeat(100)) }), source)).toMatchObject({ ok: false, reason: expect.stringMatching(/nest/) });
  });
});
