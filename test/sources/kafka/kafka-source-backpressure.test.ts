/**
 * Backpressure: 200,000 records wait in Kafka while the sink is down. The KafkaSource stores
 * records until its outbox holds `switchyard.dev/max-backlog` (10,000) undelivered events, then
 * pauses its partitions: the rest stays in Kafka, the platform's memory stays under 256 MB, and
 * /readyz says it is paused. When the sink comes back and the backlog falls below half, consuming
 * resumes. Unordered, a failed attempt becomes a stored retry (acknowledged in the outbox): the
 * bound counts those too, or a source whose sink is down would copy its whole topic into them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deferredCleanups } from '../../support/cleanups.ts';
import { startCli } from '../../support/cli.ts';
import { startHttpSink } from '../../support/http-sink.ts';
import { type KafkaMock, startKafkaMock } from '../../support/kafka-mock.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { waitFor } from '../../support/wait-for.ts';

const TOTAL = 200_000;
const PARTITIONS = 4;
const defer = deferredCleanups();
let kafka: KafkaMock;

beforeAll(async () => {
  kafka = await startKafkaMock({ brokers: 1, topics: { waiting: PARTITIONS } });
  const producer = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  for (let from = 0; from < TOTAL; from += 5000) {
    await producer.send({ topic: 'waiting', acks: -1, messages: Array.from({ length: 5000 }, (_, i) => ({ partition: (from + i) % PARTITIONS, value: `{"n":${from + i}}` })) });
  }
  await producer.disconnect();
}, 120_000);
afterAll(async () => kafka.stop());

interface Readyz {
  status: string;
  warnings?: string[];
  sources?: Array<{ state: string; reason?: string }>;
}

async function readyz(url: string): Promise<Readyz> {
  return (await (await fetch(`${url}/readyz`)).json()) as Readyz;
}

/** Offsets the source's group committed, over every partition. */
async function committed(groupId = 'switchyard-default-waiting'): Promise<number> {
  const admin = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const [topic] = await admin.fetchOffsets({ groupId, topics: ['waiting'] });
    return (topic?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
  } finally {
    await admin.disconnect();
  }
}

/** Peak resident memory of a process (VmHWM), in MB. */
function peakRssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmHWM:')) ?? '';
  return Number(/(\d+)/.exec(line)?.[1] ?? 0) / 1024;
}

/**
 * A platform running one KafkaSource (`metadata` and extra `spec` lines as given) on the topic of
 * waiting records, its sink answering 503 until `bringUp()`; waits until /readyz says paused.
 */
async function pausedWithSinkDown(metadata: string, spec = ''): Promise<{ platform: Awaited<ReturnType<typeof startCli>>; paused: Readyz; bringUp(): void; delivered(): number }> {
  let up = false;
  let delivered = 0;
  const sink = await startHttpSink((_request, response) => {
    if (up) delivered++;
    response.writeHead(up ? 202 : 503).end();
  });
  defer(() => sink.close());
  const dir = tempDir();
  defer(() => dir.remove());
  const file = dir.write(
    'kafka.yaml',
    `apiVersion: sources.knative.dev/v1
kind: KafkaSource
metadata: ${metadata}
spec:
  bootstrapServers: ["${kafka.brokers[0]}"]
  topics: [waiting]
  initialOffset: earliest
  delivery: { retry: 1000, backoffDelay: PT0.2S, backoffPolicy: linear, backoffMax: PT0.5S }
  sink: { uri: "${sink.url}" }
${spec}`,
  );
  const platform = await startCli(['-f', file, '--store', `sqlite:${join(dir.path, 'store.db')}`]);
  defer(() => platform.kill());
  let paused: Readyz | undefined;
  await waitFor(async () => (paused = await readyz(platform.url)).sources?.[0]?.state === 'paused', 'the source to pause', 90_000, 200).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}: ${JSON.stringify(paused)}\n${platform.output().stderr.slice(-2000)}`);
  });
  return { platform, paused: paused as Readyz, bringUp: () => (up = true), delivered: () => delivered };
}

describe('KafkaSource backpressure', () => {
  it(`${TOTAL} records waiting with the sink down: paused at the bound, memory flat, resumed when the sink is back`, async () => {
    const { platform, paused, bringUp, delivered } = await pausedWithSinkDown('{ name: waiting }');
    expect(paused.status).toBe('ready');
    expect(paused.warnings?.[0]).toMatch(/^KafkaSource default\/waiting is paused since \S+: \d+ events wait for delivery to the sink \(switchyard.dev\/max-backlog 10000\); consuming resumes below 5000$/);
    // It stays paused: what was stored stays near the bound, the rest waits in Kafka.
    const atPause = await committed();
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const stillPaused = await committed();
    console.log(`paused with ${atPause} records stored (3 s later ${stillPaused}) of ${TOTAL}; peak RSS ${peakRssMb(platform.child.pid as number).toFixed(0)} MB`);
    expect(atPause).toBeGreaterThanOrEqual(10_000);
    expect(stillPaused).toBe(atPause);
    expect(stillPaused).toBeLessThan(TOTAL / 4);
    expect(peakRssMb(platform.child.pid as number)).toBeLessThan(256);

    bringUp();
    await waitFor(async () => (await committed()) > atPause + 10_000, 'consuming to resume once the sink is back', 90_000, 500);
    expect(delivered()).toBeGreaterThan(5000);
    expect(peakRssMb(platform.child.pid as number)).toBeLessThan(256);
  }, 240_000);

  it('unordered, with the sink down: the stored retries count against the bound, so the source pauses and the rest stays in Kafka', async () => {
    const { platform, paused, bringUp, delivered } = await pausedWithSinkDown('{ name: retrying, annotations: { switchyard.dev/max-backlog: "2000" } }', '  ordering: unordered\n');
    const group = 'switchyard-default-retrying';
    expect(paused.warnings?.[0]).toMatch(/\(switchyard.dev\/max-backlog 2000\); consuming resumes below 1000$/);
    // The first attempts fail within moments and become retries; the source stays paused over them.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const atPause = await committed(group);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const stillPaused = await committed(group);
    console.log(`unordered: paused with ${atPause} records stored (3 s later ${stillPaused}) of ${TOTAL}`);
    expect(atPause).toBeGreaterThanOrEqual(2000);
    expect(stillPaused).toBe(atPause);
    expect(stillPaused).toBeLessThan(TOTAL / 10);
    expect((await readyz(platform.url)).sources?.[0]?.state).toBe('paused');

    bringUp();
    await waitFor(async () => (await committed(group)) > atPause + 5000, 'consuming to resume once the sink is back', 90_000, 500);
    expect(delivered()).toBeGreaterThan(2000);
  }, 240_000);
});
