/**
 * KafkaSink on the real Kafka protocol (librdkafka's mock cluster): a trigger delivers to it, it
 * produces to its topic (binary or structured), a KafkaSource reads the topic back, and the event
 * reaches an HTTP sink with its attributes as published. POST /kafka-sinks/NS/NAME produces too.
 */
import { describe, expect, it, afterAll, beforeAll } from 'vitest';
import { eventToKafkaMessage } from '../../../sources/kafka/kafka-sink-message.ts';
import { deferredCleanups } from '../../support/cleanups.ts';
import { startHttpSink } from '../../support/http-sink.ts';
import { type KafkaMock, startKafkaMock } from '../../support/kafka-mock.ts';
import { ONE_BROKER, startTestPlatform } from '../../support/platform.ts';
import { waitFor } from '../../support/wait-for.ts';

const defer = deferredCleanups();
let kafka: KafkaMock;
beforeAll(async () => {
  kafka = await startKafkaMock({ brokers: 1, topics: { 'round-binary': 1, 'round-structured': 1 } });
});
afterAll(async () => kafka.stop());

describe('event → Kafka record', () => {
  const event = { attributes: { specversion: '1.0', id: 'e1', source: '/s', type: 't', datacontenttype: 'text/plain', partitionkey: 'k-1', count: 3 }, data: Buffer.from('hi') };
  it('binary: attributes as ce_ headers, datacontenttype as content-type, the key from partitionkey, the data as the value', () => {
    expect(eventToKafkaMessage(event, 'binary')).toEqual({
      key: 'k-1',
      value: Buffer.from('hi'),
      headers: { ce_specversion: '1.0', ce_id: 'e1', ce_source: '/s', ce_type: 't', 'content-type': 'text/plain', ce_partitionkey: 'k-1', ce_count: '3' },
    });
  });
  it('structured: the JSON event format in the value', () => {
    const message = eventToKafkaMessage(event, 'structured');
    expect(message.headers).toEqual({ 'content-type': 'application/cloudevents+json' });
    expect(JSON.parse(message.value?.toString() ?? '')).toEqual({ specversion: '1.0', id: 'e1', source: '/s', type: 't', datacontenttype: 'text/plain', partitionkey: 'k-1', count: 3, data: 'hi' });
  });
});

describe('KafkaSink round trip', () => {
  it.each(['binary', 'structured'] as const)('%s: trigger → KafkaSink → topic → KafkaSource → sink, attributes preserved; POST /kafka-sinks answers 202 once Kafka has it', async (mode) => {
    const topic = `round-${mode}`;
    const sink = await startHttpSink((_request, response) => response.writeHead(202).end());
    defer(() => sink.close());
    const bootstrap = `[${kafka.brokers.map((b) => `"${b}"`).join(', ')}]`;
    const platform = await startTestPlatform(`${ONE_BROKER}
---
apiVersion: eventing.knative.dev/v1alpha1
kind: KafkaSink
metadata: { name: out }
spec:
  topic: ${topic}
  bootstrapServers: ${bootstrap}
  contentMode: ${mode}
---
apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata: { name: to-kafka }
spec:
  broker: default
  subscriber: { ref: { apiVersion: eventing.knative.dev/v1alpha1, kind: KafkaSink, name: out } }
---
apiVersion: sources.knative.dev/v1
kind: KafkaSource
metadata: { name: back }
spec:
  bootstrapServers: ${bootstrap}
  topics: [${topic}]
  initialOffset: earliest
  ordering: unordered
  sink: { uri: "${sink.url}" }
`);
    defer(() => platform.stop());
    const published = await fetch(`${platform.url}/default/default`, {
      method: 'POST',
      headers: { 'ce-specversion': '1.0', 'ce-id': 'order-1', 'ce-source': '/shop', 'ce-type': 'com.example.order', 'ce-subject': 'o-1', 'ce-partitionkey': 'customer-9', 'content-type': 'application/json' },
      body: '{"order":1}',
    });
    expect(published.status).toBe(202);
    const direct = await fetch(`${platform.url}/kafka-sinks/default/out`, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents+json' },
      body: JSON.stringify({ specversion: '1.0', id: 'direct-1', source: '/direct', type: 'com.example.direct', data: { ok: true } }),
    });
    expect(direct.status).toBe(202);
    await waitFor(() => sink.received.length >= 2, 'both events back from Kafka', 30_000);
    const byId = new Map(sink.received.map((r) => [String(r.headers['ce-id']), r]));
    expect(byId.get('order-1')?.headers).toMatchObject({ 'ce-source': '/shop', 'ce-type': 'com.example.order', 'ce-subject': 'o-1', 'ce-partitionkey': 'customer-9', 'content-type': 'application/json' });
    expect(byId.get('order-1')?.body.toString()).toBe('{"order":1}');
    expect(byId.get('direct-1')?.headers).toMatchObject({ 'ce-source': '/direct', 'ce-type': 'com.example.direct' });
    const missing = await fetch(`${platform.url}/kafka-sinks/default/nope`, { method: 'POST', headers: { 'content-type': 'application/cloudevents+json' }, body: '{}' });
    expect(missing.status).toBe(404);
  }, 60_000);
});
