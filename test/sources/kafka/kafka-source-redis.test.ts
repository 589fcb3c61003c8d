/**
 * Two processes on one Redis running the same KafkaSource join one consumer group, so Kafka
 * spreads the partitions over them; what each stores goes to the shared outbox stream, delivered
 * once by whichever process takes it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deferredCleanups } from '../../support/cleanups.ts';
import { type RunningCli, startCli } from '../../support/cli.ts';
import { startIdCounter } from '../../support/cloud-event-sinks.ts';
import { type KafkaMock, startKafkaMock } from '../../support/kafka-mock.ts';
import { startRedis, type TestRedis } from '../../support/redis-server.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { waitFor } from '../../support/wait-for.ts';

const TOTAL = 10_000;
const defer = deferredCleanups();
let kafka: KafkaMock;
let redis: TestRedis;
beforeAll(async () => {
  kafka = await startKafkaMock({ brokers: 1, topics: { shared: 4 } });
  redis = await startRedis();
});
afterAll(async () => {
  await kafka.stop();
  await redis.stop();
});

describe('KafkaSource on two processes sharing a Redis', () => {
  it(`${TOTAL} records over 4 partitions: one consumer group, each record delivered once`, async () => {
    const { sink, seen } = await startIdCounter();
    defer(() => sink.close());
    const dir = tempDir();
    defer(() => dir.remove());
    const file = join(dir.path, 'kafka.yaml');
    writeFileSync(
      file,
      `apiVersion: sources.knative.dev/v1
kind: KafkaSource
metadata: { name: shared }
spec:
  bootstrapServers: ["${kafka.brokers[0]}"]
  topics: [shared]
  initialOffset: earliest
  ordering: unordered
  sink: { uri: "${sink.url}" }
`,
    );
    const prefix = redis.freshPrefix();
    const processes: RunningCli[] = [];
    for (const consumer of ['p0', 'p1']) {
      const cli = await startCli(['-f', file, '--store', redis.storeUrl({ prefix, consumer })]);
      defer(() => cli.kill().catch(() => undefined));
      processes.push(cli);
    }
    // Kafka spreads the partitions over the two processes: each reports its share in /readyz.
    // Records go in once both have theirs, so no rebalance hands a partition over mid-batch.
    const sharesNow = () =>
      Promise.all(processes.map(async (cli) => ((await (await fetch(`${cli.url}/readyz`)).json()) as { sources: Array<{ partitions?: { shared?: number[] } }> }).sources[0]?.partitions?.shared ?? []));
    let shares: number[][] = [];
    await waitFor(async () => (shares = await sharesNow()).every((share) => share.length > 0), 'both processes to report partitions', 30_000, 200).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}: ${JSON.stringify(shares)}`);
    });
    expect(shares.flat().sort()).toEqual([0, 1, 2, 3]);
    const producer = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    defer(() => producer.disconnect());
    for (let from = 0; from < TOTAL; from += 1000) {
      await producer.send({ topic: 'shared', acks: -1, messages: Array.from({ length: 1000 }, (_, i) => ({ key: `k${from + i}`, value: `v${from + i}` })) });
    }
    await waitFor(() => seen.size >= TOTAL, 'every record at the sink', 90_000, 50);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(seen.size).toBe(TOTAL);
    expect([...seen.values()].filter((n) => n !== 1)).toEqual([]);
    for (const cli of processes) expect(cli.child.exitCode).toBeNull();
    for (const cli of processes) expect(await cli.stop()).toBe(0);
  }, 180_000);
});
