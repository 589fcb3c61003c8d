/**
 * kill -9 while records stream in: a child `switchyard run` with a KafkaSource is killed while a
 * producer is still writing 20,000 records over two partitions; after a restart on the same store
 * and consumer group every record reaches the sink at least once (by id), so the committed
 * offsets never passed a record that was not stored.
 */
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deferredCleanups } from '../../support/cleanups.ts';
import { type RunningCli, startCli } from '../../support/cli.ts';
import { startIdCounter } from '../../support/cloud-event-sinks.ts';
import { type KafkaMock, startKafkaMock } from '../../support/kafka-mock.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { waitFor } from '../../support/wait-for.ts';

const TOTAL = 20_000;
const defer = deferredCleanups();
let kafka: KafkaMock;
beforeAll(async () => {
  kafka = await startKafkaMock({ brokers: 1, topics: { stream: 2 } });
});
afterAll(async () => kafka.stop());

describe('KafkaSource across kill -9', () => {
  it(`${TOTAL} records streaming in: after a restart every one reaches the sink at least once`, async () => {
    const { sink, seen } = await startIdCounter();
    defer(() => sink.close());
    const dir = tempDir();
    defer(() => dir.remove());
    const file = dir.write(
      'kafka.yaml',
      `apiVersion: sources.knative.dev/v1
kind: KafkaSource
metadata: { name: stream }
spec:
  bootstrapServers: ["${kafka.brokers[0]}"]
  topics: [stream]
  initialOffset: earliest
  ordering: unordered
  delivery: { retry: 5, backoffDelay: PT0.1S }
  sink: { uri: "${sink.url}" }
`,
    );
    const args = ['-f', file, '--store', `sqlite:${join(dir.path, 'store.db')}`];
    let running: RunningCli | undefined = await startCli(args);
    defer(async () => running?.kill().catch(() => undefined));

    const producer = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    defer(() => producer.disconnect());
    let produced = 0;
    const producing = (async () => {
      // Paced (about 5,000 records/s) so that the stream is still coming in when the kill lands.
      for (let from = 0; from < TOTAL; from += 100) {
        await producer.send({ topic: 'stream', acks: -1, messages: Array.from({ length: 100 }, (_, i) => ({ key: `k${(from + i) % 17}`, value: `record ${from + i}` })) });
        produced += 100;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    // Killed with records stored, others in flight, and the producer still writing.
    await waitFor(() => seen.size >= TOTAL / 10, 'a tenth at the sink', 60_000, 5);
    await running.kill();
    running = undefined;
    const atKill = seen.size;
    expect(produced).toBeLessThan(TOTAL);
    await producing;

    running = await startCli(args);
    await waitFor(() => seen.size >= TOTAL, 'every record at the sink', 120_000, 50);
    // Ids are partition:P/offset:O: two partitions, offsets 0..n-1 each, none missing.
    const offsets = [0, 1].map((p) => [...seen.keys()].filter((id) => id.startsWith(`partition:${p}/`)).map((id) => Number(id.split(':').pop())).sort((a, b) => a - b));
    for (const list of offsets) expect(list).toEqual(list.map((_, i) => i));
    expect((offsets[0]?.length ?? 0) + (offsets[1]?.length ?? 0)).toBe(TOTAL);
    expect(atKill).toBeLessThan(TOTAL);
    expect(await running.stop()).toBe(0);
    running = undefined;
  }, 240_000);
});
