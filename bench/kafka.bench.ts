/**
 * Kafka, on librdkafka's mock cluster (the tests' launcher; real wire protocol), in one run:
 *
 *   source   N records waiting in a topic of 4 partitions, read by a fresh consumer group and
 *            delivered to an HTTP sink (binary CloudEvents), from the first arrival at the sink to
 *            the last. Switchyard: a KafkaSource (ordering: unordered) storing each batch durably
 *            in its outbox before committing, then a trigger delivering it. Baseline: a bare
 *            kafkajs consumer group in this process POSTing every record of a batch to the same
 *            sink (undici pool, keep-alive, up to 100 at once) and committing after — the least a
 *            Kafka-to-HTTP bridge does, with no store between. Target ≥ 0.5 ×. `ordered` (one
 *            record per partition at a time) and a read-only consumer are printed beside.
 *   sink     M events POSTed one per request (50 connections) to POST /kafka-sinks/NS/NAME, each
 *            answered once Kafka acknowledged it (acks: all). Baseline: a bare kafkajs producer
 *            sending the same events one per send from 50 concurrent loops, acks: all. Target ≥ 0.5 ×.
 *   memory   in the source runs, peak resident memory of the platform.
 *
 * Platform CPU per record/event from /proc (bench/support/cpu-time.ts).
 *
 * Usage: npm run bench:kafka [-- --records 50000 --events 20000 --rounds 3]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { Kafka, logLevel } from 'kafkajs';
import { Pool } from 'undici';
import { startKafkaMock } from '../test/support/kafka-mock.ts';
import { type ChildServer, startChildServer } from './support/child-server.ts';
import { CpuTally, cpuDuring, ownCpuSeconds } from './support/cpu-time.ts';

const repo = fileURLToPath(new URL('../', import.meta.url));
const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const RECORDS = arg('records', 50_000);
const EVENTS = arg('events', 20_000);
const ROUNDS = arg('rounds', 3);
const PARTITIONS = 4;
const dir = mkdtempSync(join(tmpdir(), 'switchyard-kafka-'));
const now = () => performance.timeOrigin + performance.now();
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

async function sinkCount(sink: ChildServer, reset = false): Promise<number> {
  const response = await fetch(`${sink.url}/stats${reset ? '?reset=1' : ''}`);
  return ((await response.json()) as { count: number }).count;
}

/** Records/s at the sink from its first arrival to the count-th. */
async function arrivalRate(sink: ChildServer, count: number, timeoutMs = 600_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let first: number | undefined;
  for (;;) {
    const current = await sinkCount(sink);
    if (current > 0) first ??= now();
    if (current >= count) return count / ((now() - (first as number)) / 1000);
    if (Date.now() > deadline) throw new Error(`the sink got ${current} of ${count} records`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const mock = await startKafkaMock({ brokers: 1, topics: { records: PARTITIONS, out: PARTITIONS } });
const kafka = new Kafka({ brokers: mock.brokers, logLevel: logLevel.NOTHING });

async function fillTopic(): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  const value = JSON.stringify({ order: 42, items: ['apple', 'pear'], customer: 'c-7', note: 'x'.repeat(40) });
  for (let from = 0; from < RECORDS; from += 5000) {
    await producer.send({ topic: 'records', acks: -1, messages: Array.from({ length: Math.min(5000, RECORDS - from) }, (_, i) => ({ partition: (from + i) % PARTITIONS, key: `k${(from + i) % 97}`, value })) });
  }
  await producer.disconnect();
}

let groups = 0;

/** The bare bridge: a consumer group POSTing each record to the sink, committing after each batch. */
async function bareBridge(sink: ChildServer, deliver: boolean): Promise<{ rate: number; cpu: number }> {
  const pool = new Pool(sink.url, { connections: 100, pipelining: 1 });
  const consumer = kafka.consumer({ groupId: `bare-${++groups}` });
  await consumer.connect();
  await consumer.subscribe({ topics: ['records'], fromBeginning: true });
  let read = 0;
  let first: number | undefined;
  let last = 0;
  const cpuBefore = ownCpuSeconds();
  const done = new Promise<void>((resolve) => {
    void consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: PARTITIONS,
      eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
        first ??= now();
        const messages = batch.messages;
        if (deliver) {
          for (let i = 0; i < messages.length; i += 100) {
            await Promise.all(
              messages.slice(i, i + 100).map(async (message) => {
                const response = await pool.request({
                  path: '/',
                  method: 'POST',
                  headers: { 'ce-specversion': '1.0', 'ce-id': `partition:${batch.partition}/offset:${message.offset}`, 'ce-source': '/bare', 'ce-type': 'dev.knative.kafka.event', 'content-type': 'application/json' },
                  body: message.value ?? undefined,
                });
                await response.body.dump();
              }),
            );
          }
        }
        const lastOffset = messages[messages.length - 1]?.offset;
        if (lastOffset !== undefined) {
          resolveOffset(lastOffset);
          await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(lastOffset) + 1n).toString() }]);
        }
        await heartbeat();
        read += messages.length;
        if (read >= RECORDS) {
          last = now();
          resolve();
        }
      },
    });
  });
  await done;
  const cpu = ownCpuSeconds() - cpuBefore;
  await consumer.disconnect();
  await pool.close();
  return { rate: RECORDS / ((last - (first as number)) / 1000), cpu };
}

async function platform(name: string, yaml: string): Promise<ChildServer> {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, yaml);
  return startChildServer(process.execPath, [join(repo, 'bin/switchyard.js'), 'run', '-f', file, '--port', '0', '--log-level', 'error', '--store', `sqlite:${join(dir, `${name}.db`)}`], repo);
}

async function viaSource(sink: ChildServer, ordering: 'ordered' | 'unordered'): Promise<{ rate: number; cpu: number; rssMB: number }> {
  await sinkCount(sink, true);
  const name = `source-${++groups}`;
  const server = await platform(
    name,
    `apiVersion: sources.knative.dev/v1\nkind: KafkaSource\nmetadata: { name: records }\nspec:\n  bootstrapServers: ["${mock.brokers[0]}"]\n  topics: [records]\n  consumerGroup: ${name}\n  initialOffset: earliest\n  ordering: ${ordering}\n  sink: { uri: "${sink.url}" }\n`,
  );
  const cpuBefore = server.cpuSeconds();
  const rate = await arrivalRate(sink, RECORDS);
  const cpu = server.cpuSeconds() - cpuBefore;
  const rssMB = server.peakRssMB();
  await server.stop();
  return { rate, cpu, rssMB };
}

async function bareProducer(): Promise<number> {
  const producer = kafka.producer();
  await producer.connect();
  let sent = 0;
  const started = now();
  await Promise.all(
    Array.from({ length: 50 }, async () => {
      while (sent < EVENTS) {
        sent++;
        await producer.send({ topic: 'out', acks: -1, messages: [{ headers: { ce_specversion: '1.0', ce_id: `e${sent}`, ce_source: '/bench', ce_type: 'com.example.order', 'content-type': 'application/json' }, value: '{"order":42}' }] });
      }
    }),
  );
  const rate = EVENTS / ((now() - started) / 1000);
  await producer.disconnect();
  return rate;
}

async function viaKafkaSink(server: ChildServer, tally: CpuTally<'platform' | 'loader'>): Promise<number> {
  const run = await cpuDuring({ platform: server.cpuSeconds, loader: ownCpuSeconds }, async () => {
    const started = now();
    const result = await autocannon({
      url: `${server.url}/kafka-sinks/default/out`,
      method: 'POST',
      headers: { 'ce-specversion': '1.0', 'ce-id': 'e', 'ce-source': '/bench', 'ce-type': 'com.example.order', 'content-type': 'application/json' },
      body: '{"order":42}',
      connections: 50,
      amount: EVENTS,
    });
    if (result.non2xx > 0 || result.errors > 0) throw new Error(`KafkaSink answered ${result.non2xx} non-2xx, ${result.errors} errors`);
    return EVENTS / ((now() - started) / 1000);
  });
  tally.add(run.seconds, EVENTS);
  return run.result;
}

try {
  await fillTopic();
  const sink = await startChildServer(process.execPath, ['--import', 'tsx', join(repo, 'bench/support/counting-sink.ts')], repo);
  const readOnly = await bareBridge(sink, false);
  // Warm-up of both paths, then rounds alternating.
  await bareBridge(sink, true);
  await viaSource(sink, 'unordered');
  const bare: number[] = [];
  const ours: number[] = [];
  const ratios: number[] = [];
  let bareCpu = 0;
  let ourCpu = 0;
  let peakRss = 0;
  for (let round = 0; round < ROUNDS; round++) {
    await sinkCount(sink, true);
    const b = await bareBridge(sink, true);
    const o = await viaSource(sink, 'unordered');
    bare.push(b.rate);
    ours.push(o.rate);
    ratios.push(o.rate / b.rate);
    bareCpu += b.cpu;
    ourCpu += o.cpu;
    peakRss = Math.max(peakRss, o.rssMB);
  }
  const ordered = await viaSource(sink, 'ordered');
  await sink.stop();

  const sinkServer = await platform('kafka-sink', `apiVersion: eventing.knative.dev/v1alpha1\nkind: KafkaSink\nmetadata: { name: out }\nspec:\n  topic: out\n  bootstrapServers: ["${mock.brokers[0]}"]\n`);
  await viaKafkaSink(sinkServer, new CpuTally());
  await bareProducer();
  const sinkTally = new CpuTally<'platform' | 'loader'>();
  const produced: number[] = [];
  const posted: number[] = [];
  const sinkRatios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const p = await bareProducer();
    const k = await viaKafkaSink(sinkServer, sinkTally);
    produced.push(p);
    posted.push(k);
    sinkRatios.push(k / p);
  }
  await sinkServer.stop();

  const perRecord = (seconds: number) => ((seconds * 1e6) / (RECORDS * ROUNDS)).toFixed(1);
  console.log('\n| scenario | switchyard | baseline | result |\n|---|---|---|---|');
  console.log(
    `| KafkaSource → HTTP sink, ${RECORDS.toLocaleString('en')} records, 4 partitions, unordered (median of ${ROUNDS}) | ${median(ours).toFixed(0)} records/s | bare kafkajs bridge ${median(bare).toFixed(0)} records/s | ${median(ratios).toFixed(2)} × (rounds ${ratios.map((r) => r.toFixed(2)).join(', ')}; target ≥ 0.5) |`,
  );
  console.log(`| KafkaSource, ordering: ordered (one round) | ${ordered.rate.toFixed(0)} records/s | — | one record per partition at a time |`);
  console.log(`| bare consumer, reading only | — | ${readOnly.rate.toFixed(0)} records/s | — |`);
  console.log(
    `| KafkaSink, ${EVENTS.toLocaleString('en')} single events, 50 connections (median of ${ROUNDS}) | ${median(posted).toFixed(0)} events/s | bare kafkajs producer ${median(produced).toFixed(0)} events/s | ${median(sinkRatios).toFixed(2)} × (rounds ${sinkRatios.map((r) => r.toFixed(2)).join(', ')}; target ≥ 0.5) |`,
  );
  console.log(`| peak RSS of the platform in the source runs | ${peakRss.toFixed(0)} MB | — | — |`);
  console.log('');
  console.log(`KafkaSource: platform CPU ${perRecord(ourCpu)} µs per record (store + delivery); bare bridge CPU ${perRecord(bareCpu)} µs per record (this process)`);
  console.log(`KafkaSink: platform CPU ${sinkTally.micros('platform')} µs per event, load generator ${sinkTally.micros('loader')} µs`);
  console.log(`\n${cpus().length} cores, node ${process.version}; the mock cluster runs in its own process`);
} finally {
  await mock.stop();
  rmSync(dir, { recursive: true, force: true });
}
