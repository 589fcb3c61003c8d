/**
 * Two processes on one Redis running the same KafkaSource join one consumer group, so Kafka
 * spreads the partitions over them; what each stores goes to the shared outbox stream, delivered
 * once by whichever process takes it. When one is killed mid-stream, the other takes its
 * partitions over (after Kafka's session timeout) and its outbox entries (after claim-idle), and
 * nothing is lost.
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
  kafka = await startKafkaMock({ brokers: 1, topics: { shared: 4, victim: 4 } });
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
    const file = dir.write(
      'kafka.yaml',
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
    await waitFor(async () => (shares = await sharesNow()).every((share) => share.length > 0), 'both processes to report partitions', 70_000, 200).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}: ${JSON.stringify(shares)}\n${processes.map((cli) => cli.output().stderr.slice(-1500)).join('\n---\n')}`);
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

  it('one of the two is killed (SIGKILL) mid-stream: the survivor takes its partitions and its outbox over, every record arrives', async () => {
    const { sink, seen } = await startIdCounter();
    defer(() => sink.close());
    const dir = tempDir();
    defer(() => dir.remove());
    const file = join(dir.path, 'kafka.yaml');
    // ordering: ordered (the default), so the outbox's trigger is also handed over (its lease).
    writeFileSync(
      file,
      `apiVersion: sources.knative.dev/v1
kind: KafkaSource
metadata: { name: victim }
spec:
  bootstrapServers: ["${kafka.brokers[0]}"]
  topics: [victim]
  initialOffset: earliest
  sink: { uri: "${sink.url}" }
`,
    );
    const prefix = redis.freshPrefix();
    const processes: RunningCli[] = [];
    for (const consumer of ['p0', 'p1']) {
      const cli = await startCli(['-f', file, '--store', redis.storeUrl({ prefix, consumer, claimIdleMs: 1000 })]);
      defer(() => cli.kill().catch(() => undefined));
      processes.push(cli);
    }
    const [victim, survivor] = processes as [RunningCli, RunningCli];
    const share = async (cli: RunningCli) => ((await (await fetch(`${cli.url}/readyz`)).json()) as { sources: Array<{ partitions?: { victim?: number[] } }> }).sources[0]?.partitions?.victim ?? [];
    let shares: number[][] = [];
    await waitFor(async () => (shares = [await share(victim), await share(survivor)]).every((one) => one.length > 0), 'both processes to have partitions', 120_000, 200).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}: ${JSON.stringify(shares)}\n${processes.map((cli) => cli.output().stderr.slice(-3000)).join('\n---\n')}`);
    });
    const producer = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    defer(() => producer.disconnect());
    const total = 8000;
    let killed = false;
    for (let from = 0; from < total; from += 500) {
      await producer.send({ topic: 'victim', acks: -1, messages: Array.from({ length: 500 }, (_, i) => ({ key: `k${from + i}`, value: `v${from + i}` })) });
      if (!killed && from >= total / 4) {
        await waitFor(() => seen.size >= 1000, 'deliveries under way', 30_000, 20);
        await victim.kill();
        killed = true;
      }
    }
    await waitFor(() => seen.size >= total, 'every record at the sink after the kill', 90_000, 100).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}: ${seen.size} of ${total}\n${survivor.output().stderr.slice(-2000)}`);
    });
    expect(seen.size).toBe(total);
    expect(await share(survivor)).toEqual([0, 1, 2, 3]);
    expect(survivor.child.exitCode).toBeNull();
  }, 300_000);
});
