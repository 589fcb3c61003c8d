/**
 * KafkaSource on the real Kafka protocol (librdkafka's mock cluster): records produced by kafkajs
 * and by kcat (another client) reach the sink as Knative's KafkaSource would send them; records
 * that already are CloudEvents pass unchanged; one that claims to be and is not is dead-lettered
 * without stalling its partition.
 */
import { execFileSync } from 'node:child_process';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deferredCleanups } from '../../support/cleanups.ts';
import { type HttpSink, startHttpSink } from '../../support/http-sink.ts';
import { type KafkaMock, startKafkaMock } from '../../support/kafka-mock.ts';
import { ONE_BROKER, startTestPlatform } from '../../support/platform.ts';
import { waitFor } from '../../support/wait-for.ts';

const defer = deferredCleanups();
let kafka: KafkaMock;
beforeAll(async () => {
  kafka = await startKafkaMock({ brokers: 1 });
});
afterAll(async () => kafka.stop());

async function produce(topic: string, messages: Array<{ key?: string | Buffer | null; value: string | Buffer | null; headers?: Record<string, string>; partition?: number }>): Promise<void> {
  const producer = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  await producer.send({ topic, acks: -1, messages });
  await producer.disconnect();
}

function source(name: string, topic: string, sinkUrl: string, extra = ''): string {
  return `---
apiVersion: sources.knative.dev/v1
kind: KafkaSource
metadata:
  name: ${name}
  namespace: shop${extra}
spec:
  bootstrapServers: [${kafka.bootstrap.split(',').map((b) => `"${b}"`).join(', ')}]
  topics: [${topic}]
  initialOffset: earliest
  sink: { uri: "${sinkUrl}" }
`;
}

interface Readyz {
  status: string;
  warnings?: string[];
  sources?: Array<{ kind: string; source: string; state: string; since: string; reason?: string }>;
}

async function readyz(url: string): Promise<Readyz> {
  const response = await fetch(`${url}/readyz`);
  expect(response.status).toBe(200);
  return (await response.json()) as Readyz;
}

async function sink(): Promise<HttpSink> {
  const s = await startHttpSink((_request, response) => response.writeHead(202).end());
  defer(() => s.close());
  return s;
}

describe('KafkaSource', () => {
  it("turns records into Knative's events: attributes from topic, partition, offset, key and headers; data the bytes", async () => {
    await kafka.createTopic('orders', 1);
    await produce('orders', [
      { key: 'customer-7', value: '{"order":7}', headers: { 'Content-Type': 'application/json', 'X-Trace': 'abc' } },
      { key: null, value: 'plain text' },
    ]);
    const s = await sink();
    const platform = await startTestPlatform(`${ONE_BROKER}${source('orders', 'orders', s.url)}`);
    defer(() => platform.stop());
    await waitFor(() => s.received.length >= 2, 'both records at the sink', 30_000);
    const [first, second] = s.received;
    expect(first?.headers).toMatchObject({
      'ce-specversion': '1.0',
      'ce-id': 'partition:0/offset:0',
      'ce-source': '/apis/v1/namespaces/shop/kafkasources/orders#orders',
      'ce-type': 'dev.knative.kafka.event',
      'ce-subject': 'partition:0#0',
      'ce-key': 'customer-7',
      'ce-partitionkey': 'customer-7',
      'ce-kafkaheaderxtrace': 'abc',
      'content-type': 'application/json',
    });
    expect(first?.headers['ce-time']).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(first?.body.toString()).toBe('{"order":7}');
    expect(second?.headers).toMatchObject({ 'ce-id': 'partition:0/offset:1' });
    expect(second?.headers['ce-key']).toBeUndefined();
    expect(second?.body.toString()).toBe('plain text');
  }, 60_000);

  it('records that are CloudEvents (binary from kcat, structured from kafkajs) pass unchanged; an invalid one is dead-lettered and the partition goes on', async () => {
    await kafka.createTopic('events', 1);
    // kcat, another Kafka client: binary mode, the attributes as ce_ headers.
    execFileSync('kcat', ['-P', '-b', kafka.bootstrap, '-t', 'events', '-H', 'ce_specversion=1.0', '-H', 'ce_id=from-kcat', '-H', 'ce_source=/kcat', '-H', 'ce_type=com.example.kcat', '-H', 'content-type=text/plain'], { input: 'hello from kcat\n' });
    await produce('events', [
      { value: JSON.stringify({ specversion: '1.0', id: 'structured-1', source: '/kafkajs', type: 'com.example.structured', data: { a: 1 } }), headers: { 'content-type': 'application/cloudevents+json' } },
      { value: 'bad', headers: { ce_specversion: '1.0', ce_id: 'no-source' } },
      { value: 'after the bad one' },
    ]);
    const s = await sink();
    const platform = await startTestPlatform(`${ONE_BROKER}${source('events', 'events', s.url)}`);
    defer(() => platform.stop());
    await waitFor(() => s.received.length >= 3, 'three records at the sink', 30_000);
    expect(s.received.map((r) => r.headers['ce-id'])).toEqual(['from-kcat', 'structured-1', 'partition:0/offset:3']);
    expect(s.received[0]?.headers).toMatchObject({ 'ce-source': '/kcat', 'ce-type': 'com.example.kcat', 'content-type': 'text/plain' });
    expect(s.received[0]?.body.toString()).toBe('hello from kcat');
    expect(s.received[1]?.body.toString()).toBe('{"a":1}');
    const dead = (await (await fetch(`${platform.url}/api/v1/dead-letters`)).json()) as { deadLetters: Array<{ trigger: string; reason: string; event: { id: string } }> };
    expect(dead.deadLetters).toHaveLength(1);
    expect(dead.deadLetters[0]).toMatchObject({ trigger: 'shop/kafkasource:events', event: { id: 'partition:0/offset:2' } });
    expect(dead.deadLetters[0]?.reason).toMatch(/^the record has ce_ headers but is not a valid CloudEvent: source/);
  }, 60_000);

  it('records compressed with snappy, lz4 and zstd by kcat (librdkafka) arrive whole (kafkajs itself reads only gzip)', async () => {
    await kafka.createTopic('compressed', 1);
    const payload = `{"note":"${'compressible '.repeat(50)}"}`;
    for (const codec of ['snappy', 'lz4', 'zstd', 'gzip']) {
      const lines = Array.from({ length: 20 }, (_, i) => `${codec}-${i} ${payload}`).join('\n');
      execFileSync('kcat', ['-P', '-b', kafka.bootstrap, '-t', 'compressed', '-z', codec], { input: `${lines}\n` });
    }
    const s = await sink();
    const platform = await startTestPlatform(`${ONE_BROKER}${source('compressed', 'compressed', s.url)}`);
    defer(() => platform.stop());
    await waitFor(() => s.received.length >= 80, 'every compressed record at the sink', 30_000);
    const bodies = s.received.map((r) => r.body.toString());
    for (const codec of ['snappy', 'lz4', 'zstd', 'gzip']) {
      expect(bodies.filter((b) => b.startsWith(`${codec}-`)), codec).toHaveLength(20);
    }
    expect(bodies.every((b) => b.endsWith(payload))).toBe(true);
    expect(s.received.map((r) => r.headers['ce-id'])).toEqual(Array.from({ length: 80 }, (_, i) => `partition:0/offset:${i}`));
  }, 60_000);

  it('a broker outage in the middle of a stream (connections dropped, requests failing, the broker down until /readyz reports it): the source recovers and loses nothing', async () => {
    await kafka.createTopic('flaky', 1);
    const s = await sink();
    const platform = await startTestPlatform(`${ONE_BROKER}${source('flaky', 'flaky', s.url)}`);
    defer(() => platform.stop());
    const producer = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING, retry: { retries: 30 } }).producer();
    await producer.connect();
    defer(() => producer.disconnect());
    const send = (from: number, count: number) => producer.send({ topic: 'flaky', acks: -1, messages: Array.from({ length: count }, (_, i) => ({ value: `r${from + i}` })) });
    await send(0, 500);
    await waitFor(() => s.received.length >= 100, 'the first records at the sink', 30_000);
    // Fetch (API key 1) and OffsetCommit (8) requests fail with a dropped connection (-195), then the broker goes down.
    await kafka.failRequests(1, -195, 5);
    await kafka.failRequests(8, -195, 3);
    await send(500, 500);
    await kafka.setBrokerDown(1, true);
    // /readyz stays 200 (events are still accepted) and says what the source is going through.
    let during: Readyz | undefined;
    await waitFor(async () => (during = await readyz(platform.url)).sources?.[0]?.state === 'unavailable', '/readyz to report the outage', 20_000, 100);
    expect(during?.status).toBe('ready');
    expect(during?.warnings?.[0]).toMatch(/^KafkaSource shop\/flaky cannot reach Kafka since \S+ \(.+\); it keeps trying$/);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await kafka.setBrokerDown(1, false);
    await send(1000, 500);
    await waitFor(() => new Set(s.received.map((r) => r.body.toString())).size >= 1500, 'all 1,500 records at the sink', 90_000, 50);
    const bodies = new Set(s.received.map((r) => r.body.toString()));
    expect(Array.from({ length: 1500 }, (_, i) => `r${i}`).filter((body) => !bodies.has(body))).toEqual([]);
    const after = await readyz(platform.url);
    expect(after).toEqual({ status: 'ready', sources: [{ kind: 'KafkaSource', source: 'shop/flaky', state: 'consuming', since: expect.any(String), partitions: { flaky: [0] } }] });
  }, 120_000);

  it('a consumer kafkajs gives up on (a non-retriable SyncGroup error) is replaced: /readyz says so, then every record arrives', async () => {
    await kafka.createTopic('crashing', 1);
    const s = await sink();
    // SyncGroup (API key 14) answers INVALID_REQUEST (42): kafkajs crashes the consumer without restarting it.
    await kafka.failRequests(14, 42, 1);
    const platform = await startTestPlatform(`${ONE_BROKER}${source('crashing', 'crashing', s.url)}`);
    defer(() => platform.stop());
    let during: Readyz | undefined;
    await waitFor(async () => /a new one starts in 1000 ms/.test((during = await readyz(platform.url)).sources?.[0]?.reason ?? ''), '/readyz to report the crash', 20_000, 50);
    expect(during?.sources?.[0]?.state).toBe('unavailable');
    await produce('crashing', Array.from({ length: 200 }, (_, i) => ({ value: `c${i}` })));
    await waitFor(() => new Set(s.received.map((r) => r.body.toString())).size >= 200, 'all 200 records at the sink', 30_000, 50);
    const after = await readyz(platform.url);
    expect(after.sources?.[0]).toEqual({ kind: 'KafkaSource', source: 'shop/crashing', state: 'consuming', since: expect.any(String), partitions: { crashing: [0] } });
  }, 60_000);
});
