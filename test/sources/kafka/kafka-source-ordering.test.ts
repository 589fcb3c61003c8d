/**
 * KafkaSource `ordering` (Knative's semantics): `ordered` (the default) delivers a partition's
 * records to the sink one at a time, in offset order, each retried until delivered or
 * dead-lettered before the next; `unordered` delivers concurrently, so it is faster and just as
 * complete. Measured on the mock cluster with a sink that fails the first attempt of some records.
 */
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deferredCleanups } from '../../support/cleanups.ts';
import { type KafkaMock, startKafkaMock } from '../../support/kafka-mock.ts';
import { type OrderSink, outOfOrder, startOrderSink } from '../../support/order-checking-sink.ts';
import { startTestPlatform } from '../../support/platform.ts';
import { waitFor } from '../../support/wait-for.ts';

const defer = deferredCleanups();
let kafka: KafkaMock;
const PARTITIONS = 4;
const PER_PARTITION = 60;
const TOTAL = PARTITIONS * PER_PARTITION;

beforeAll(async () => {
  kafka = await startKafkaMock({ brokers: 1 });
  await kafka.createTopic('ledger', PARTITIONS);
  const producer = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  for (let partition = 0; partition < PARTITIONS; partition++) {
    await producer.send({ topic: 'ledger', acks: -1, messages: Array.from({ length: PER_PARTITION }, (_, i) => ({ partition, key: `account-${partition}`, value: JSON.stringify({ entry: i }) })) });
  }
  await producer.disconnect();
}, 60_000);
afterAll(async () => kafka.stop());

function source(name: string, sinkUrl: string, ordering?: 'ordered' | 'unordered'): string {
  return `apiVersion: sources.knative.dev/v1
kind: KafkaSource
metadata: { name: ${name} }
spec:
  bootstrapServers: [${kafka.brokers.map((b) => `"${b}"`).join(', ')}]
  topics: [ledger]
  initialOffset: earliest${ordering === undefined ? '' : `\n  ordering: ${ordering}`}
  delivery: { retry: 3, backoffDelay: PT0.05S, backoffPolicy: linear }
  sink: { uri: "${sinkUrl}" }
`;
}

/** Keyed by partition (the subject `partition:P#O`), numbered by offset; every 7th offset's first attempt is answered 503. */
async function ledgerSink(): Promise<OrderSink> {
  const s = await startOrderSink({
    keyOf: (request) => String(request.headers['ce-subject']).split('#')[0] ?? '',
    seqOf: (request) => Number(String(request.headers['ce-subject']).split('#')[1]),
    status: (_key, offset, attempt) => (offset % 7 === 3 && attempt === 1 ? 503 : 202),
    delayMs: 10,
  });
  defer(() => s.sink.close());
  return s;
}

/** From the first request to the last first success, at the sink. */
function deliverySpanMs(s: OrderSink): number {
  const first = s.sink.received[0]?.at ?? 0;
  const last = Math.max(...s.sink.received.map((r) => r.at));
  return last - first;
}

async function run(name: string, ordering?: 'ordered' | 'unordered'): Promise<{ sink: OrderSink; spanMs: number }> {
  const s = await ledgerSink();
  const platform = await startTestPlatform(source(name, s.url, ordering));
  defer(() => platform.stop());
  await waitFor(() => s.delivered() === TOTAL, `every record delivered (${ordering ?? 'ordered by default'})`, 60_000, 20);
  await platform.stop();
  return { sink: s, spanMs: deliverySpanMs(s) };
}

describe('KafkaSource ordering', { timeout: 120_000 }, () => {
  it('ordered: each partition in offset order through retries, one record at a time; unordered: complete and faster', async () => {
    const ordered = await run('ledger-ordered');
    expect(outOfOrder(ordered.sink.firstSuccesses())).toEqual([]);
    expect([...ordered.sink.firstSuccesses().keys()].sort()).toEqual(['partition:0', 'partition:1', 'partition:2', 'partition:3']);
    expect([...ordered.sink.firstSuccesses().values()].map((offsets) => offsets.length)).toEqual(Array(PARTITIONS).fill(PER_PARTITION));
    expect(ordered.sink.maxOpenPerKey()).toBe(1);
    // Partitions go side by side.
    expect(ordered.sink.maxOpen()).toBeGreaterThan(1);
    expect(ordered.sink.failures()).toBe(Math.ceil((PER_PARTITION - 3) / 7) * PARTITIONS);
    // The ordering key the source stamps in its outbox never reaches the sink.
    expect(ordered.sink.sink.received.filter((r) => r.headers['ce-switchyardorderkey'] !== undefined)).toEqual([]);

    const unordered = await run('ledger-unordered', 'unordered');
    expect(unordered.sink.delivered()).toBe(TOTAL);
    expect(unordered.sink.maxOpenPerKey()).toBeGreaterThan(1);
    expect(outOfOrder(unordered.sink.firstSuccesses()).length).toBeGreaterThan(0);
    console.log(`KafkaSource ordering, ${TOTAL} records over ${PARTITIONS} partitions, a 10 ms sink: ordered ${ordered.spanMs} ms, unordered ${unordered.spanMs} ms`);
    expect(unordered.spanMs).toBeLessThan(ordered.spanMs / 2);
  });
});
