/**
 * Kafka, on librdkafka's mock cluster (the tests' launcher; real wire protocol), in one run:
 *
 *   source   W + N records waiting in a topic of 4 partitions, read by a fresh consumer group and
 *            delivered to an HTTP sink (binary CloudEvents); rate and CPU over the last N (from
 *            the W-th arrival at the sink to the last), the whole stream's rate beside. The first
 *            W warm the process up: the platform is a new process each round, and in a 50,000-
 *            record stream perf showed V8's compiler threads at a third of its CPU, while the
 *            bridge runs in this process, compiled by its earlier rounds. Switchyard: a
 *            KafkaSource (ordering: unordered) storing each batch durably in its outbox before
 *            committing, then a trigger delivering it. Baseline: a bare
 *            kafkajs consumer group in this process POSTing every record of a batch to the same
 *            sink (undici pool, keep-alive, up to 100 at once) as the same binary CloudEvent the
 *            KafkaSource sends, and committing after — the least a Kafka-to-HTTP bridge does,
 *            with no store between. Target ≥ 0.5 ×. `ordered` (one
 *            record per partition at a time) and a read-only consumer are printed beside.
 *   sink     M events POSTed one per request (50 connections) to POST /kafka-sinks/NS/NAME, each
 *            answered once Kafka acknowledged it (acks: all). Baseline: a bare kafkajs producer
 *            sending the same events one per send from 50 concurrent loops, acks: all. Target ≥ 0.5 ×.
 *   memory   in the source runs, peak resident memory of the platform.
 *
 * Platform CPU per record/event from /proc (bench/support/cpu-time.ts).
 *
 * Usage: npm run bench:kafka [-- --records 50000 --warm 50000 --events 20000 --rounds 3 --only source|sink]
 * BENCH_PLATFORM_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" passes node options to the
 * platform's processes only (NODE_OPTIONS refuses --cpu-prof).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { Kafka, type KafkaMessage, logLevel } from 'kafkajs';
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
/** Records read before the measured ones: a new platform process spends its first seconds compiling (see below). */
const WARM = arg('warm', RECORDS);
const TOTAL = WARM + RECORDS;
const EVENTS = arg('events', 20_000);
const ROUNDS = arg('rounds', 3);
const onlyAt = process.argv.indexOf('--only');
const ONLY = onlyAt > 0 ? process.argv[onlyAt + 1] : undefined;
if (ONLY !== undefined && ONLY !== 'source' && ONLY !== 'sink') throw new Error(`--only takes "source" or "sink", not ${JSON.stringify(ONLY)}`);
const PARTITIONS = 4;
const dir = mkdtempSync(join(tmpdir(), 'switchyard-kafka-'));
const now = () => performance.timeOrigin + performance.now();
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

async function sinkCount(sink: ChildServer, reset = false): Promise<number> {
  const response = await fetch(`${sink.url}/stats${reset ? '?reset=1' : ''}`);
  return ((await response.json()) as { count: number }).count;
}

interface Window {
  /** Records/s over the measured records (after the warm-up ones). */
  readonly rate: number;
  /** Records/s over the whole stream, from the first arrival: a cold process, group join after. */
  readonly wholeRate: number;
}

/**
 * Waits until the sink has all TOTAL records; `mark` is called when the WARM-th arrived and at
 * the end (to read CPU clocks at the window's edges).
 */
async function arrivals(sink: ChildServer, mark: (edge: 'start' | 'end') => void, timeoutMs = 600_000): Promise<Window> {
  const deadline = Date.now() + timeoutMs;
  let first: number | undefined;
  let warmAt: number | undefined;
  for (;;) {
    const current = await sinkCount(sink);
    if (current > 0) first ??= now();
    // With --warm 0 the window starts at the first arrival.
    if (current >= Math.max(1, WARM) && warmAt === undefined) {
      warmAt = now();
      mark('start');
    }
    if (current >= TOTAL) {
      mark('end');
      const end = now();
      return { rate: (current - WARM) / ((end - (warmAt as number)) / 1000), wholeRate: current / ((end - (first as number)) / 1000) };
    }
    if (Date.now() > deadline) throw new Error(`the sink got ${current} of ${TOTAL} records`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const mock = await startKafkaMock({ brokers: 1, topics: { records: PARTITIONS, out: PARTITIONS } });
const kafka = new Kafka({ brokers: mock.brokers, logLevel: logLevel.NOTHING });

async function fillTopic(): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  const value = JSON.stringify({ order: 42, items: ['apple', 'pear'], customer: 'c-7', note: 'x'.repeat(40) });
  for (let from = 0; from < TOTAL; from += 5000) {
    await producer.send({ topic: 'records', acks: -1, messages: Array.from({ length: Math.min(5000, TOTAL - from) }, (_, i) => ({ partition: (from + i) % PARTITIONS, key: `k${(from + i) % 97}`, value })) });
  }
  await producer.disconnect();
}

let groups = 0;

/**
 * The headers of the event the KafkaSource delivers for a record (Knative's mapping, reference
 * §4.2: id, source, type, subject, time, key and partitionkey; Prefer and Kn-Namespace per the
 * data plane spec), so that both sides send the same request. Until 2026-12-02 the bridge sent
 * five headers against the platform's ten; undici builds and checks a string per header.
 */
function bridgeHeaders(partition: number, message: KafkaMessage): Record<string, string> {
  const key = message.key?.toString('utf8');
  return {
    'ce-specversion': '1.0',
    'ce-id': `partition:${partition}/offset:${message.offset}`,
    'ce-source': '/apis/v1/namespaces/default/kafkasources/records#records',
    'ce-type': 'dev.knative.kafka.event',
    'ce-subject': `partition:${partition}#${message.offset}`,
    'ce-time': new Date(Number(message.timestamp)).toISOString(),
    ...(key === undefined ? {} : { 'ce-key': key, 'ce-partitionkey': key }),
    prefer: 'reply',
    'kn-namespace': 'default',
  };
}

/**
 * The bare bridge: a consumer group POSTing each record to the sink, committing after each batch.
 * Its window is counted as each POST is answered (as the platform's is at the sink); its CPU is
 * this process's, which has run the bridge before, so its code is compiled already.
 */
async function bareBridge(sink: ChildServer, deliver: boolean): Promise<Window & { cpu: number }> {
  const pool = new Pool(sink.url, { connections: 100, pipelining: 1 });
  const consumer = kafka.consumer({ groupId: `bare-${++groups}` });
  await consumer.connect();
  await consumer.subscribe({ topics: ['records'], fromBeginning: true });
  let count = 0;
  let first: number | undefined;
  let warmAt = 0;
  let cpuAtWarm = 0;
  let resolveDone: (window: Window & { cpu: number }) => void = () => undefined;
  const done = new Promise<Window & { cpu: number }>((resolve) => (resolveDone = resolve));
  const counted = (n: number) => {
    const before = count;
    count += n;
    if (warmAt === 0 && count >= WARM) {
      warmAt = now();
      cpuAtWarm = ownCpuSeconds();
    }
    if (before < TOTAL && count >= TOTAL) {
      const end = now();
      resolveDone({ rate: (count - WARM) / ((end - warmAt) / 1000), wholeRate: count / ((end - (first as number)) / 1000), cpu: ownCpuSeconds() - cpuAtWarm });
    }
  };
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
                headers: bridgeHeaders(batch.partition, message),
                body: message.value ?? undefined,
              });
              await response.body.dump();
              counted(1);
            }),
          );
        }
      } else counted(messages.length);
      const lastOffset = messages[messages.length - 1]?.offset;
      if (lastOffset !== undefined) {
        resolveOffset(lastOffset);
        await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(lastOffset) + 1n).toString() }]);
      }
      await heartbeat();
    },
  });
  const window = await done;
  await consumer.disconnect();
  await pool.close();
  return window;
}

async function platform(name: string, yaml: string): Promise<ChildServer> {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, yaml);
  const nodeArgs = (process.env['BENCH_PLATFORM_NODE_ARGS'] ?? '').split(' ').filter((arg) => arg !== '');
  return startChildServer(process.execPath, [...nodeArgs, join(repo, 'bin/switchyard.js'), 'run', '-f', file, '--port', '0', '--log-level', 'error', '--store', `sqlite:${join(dir, `${name}.db`)}`], repo);
}

async function viaSource(sink: ChildServer, ordering: 'ordered' | 'unordered'): Promise<Window & { cpu: number; rssMB: number; threads: { main: number; others: number[] } }> {
  await sinkCount(sink, true);
  const name = `source-${++groups}`;
  const server = await platform(
    name,
    `apiVersion: sources.knative.dev/v1\nkind: KafkaSource\nmetadata: { name: records }\nspec:\n  bootstrapServers: ["${mock.brokers[0]}"]\n  topics: [records]\n  consumerGroup: ${name}\n  initialOffset: earliest\n  ordering: ${ordering}\n  sink: { uri: "${sink.url}" }\n`,
  );
  const clocks = { start: { cpu: 0, threads: new Map<number, number>() }, end: { cpu: 0, threads: new Map<number, number>() } };
  const window = await arrivals(sink, (edge) => (clocks[edge] = { cpu: server.cpuSeconds(), threads: server.threadCpuSeconds() }));
  const cpu = clocks.end.cpu - clocks.start.cpu;
  const threadsBefore = clocks.start.threads;
  const threadsAfter = clocks.end.threads;
  const pid = server.child.pid ?? 0;
  const used = [...threadsAfter].map(([tid, seconds]) => [tid, seconds - (threadsBefore.get(tid) ?? 0)] as const);
  const threads = { main: used.find(([tid]) => tid === pid)?.[1] ?? 0, others: used.filter(([tid]) => tid !== pid).map(([, seconds]) => seconds).sort((a, b) => b - a) };
  const rssMB = server.peakRssMB();
  await server.stop();
  return { ...window, cpu, rssMB, threads };
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

const perRecord = (seconds: number) => ((seconds * 1e6) / (RECORDS * ROUNDS)).toFixed(1);
/** The table's rows and the notes under it, printed once every run is done. */
const rows: string[] = [];
const notes: string[] = [];

async function sourceRuns(): Promise<void> {
  await fillTopic();
  const sink = await startChildServer(process.execPath, ['--import', 'tsx', join(repo, 'bench/support/counting-sink.ts')], repo);
  const readOnly = await bareBridge(sink, false);
  // Warm-up of both paths, then rounds alternating.
  await bareBridge(sink, true);
  await viaSource(sink, 'unordered');
  const bare: number[] = [];
  const ours: number[] = [];
  const ratios: number[] = [];
  const wholeRatios: number[] = [];
  let bareCpu = 0;
  let ourCpu = 0;
  let peakRss = 0;
  let mainThreadCpu = 0;
  /** Other threads' CPU, the busiest of each round added up first, and so on. */
  const otherThreadsCpu: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    await sinkCount(sink, true);
    const b = await bareBridge(sink, true);
    const o = await viaSource(sink, 'unordered');
    bare.push(b.rate);
    ours.push(o.rate);
    ratios.push(o.rate / b.rate);
    wholeRatios.push(o.wholeRate / b.wholeRate);
    bareCpu += b.cpu;
    ourCpu += o.cpu;
    peakRss = Math.max(peakRss, o.rssMB);
    mainThreadCpu += o.threads.main;
    o.threads.others.forEach((seconds, rank) => (otherThreadsCpu[rank] = (otherThreadsCpu[rank] ?? 0) + seconds));
  }
  const ordered = await viaSource(sink, 'ordered');
  await sink.stop();
  rows.push(
    `| KafkaSource → HTTP sink, ${RECORDS.toLocaleString('en')} records after ${WARM.toLocaleString('en')} of warm-up, 4 partitions, unordered (median of ${ROUNDS}) | ${median(ours).toFixed(0)} records/s | bare kafkajs bridge ${median(bare).toFixed(0)} records/s | ${median(ratios).toFixed(2)} × (rounds ${ratios.map((r) => r.toFixed(2)).join(', ')}; target ≥ 0.5) |`,
  );
  rows.push(`| the same over the whole stream, from the first arrival (a new process: compiling, joining the group) | — | — | ${median(wholeRatios).toFixed(2)} × (rounds ${wholeRatios.map((r) => r.toFixed(2)).join(', ')}) |`);
  rows.push(`| KafkaSource, ordering: ordered (one round) | ${ordered.rate.toFixed(0)} records/s | — | one record per partition at a time (after the warm-up) |`);
  rows.push(`| bare consumer, reading only | — | ${readOnly.rate.toFixed(0)} records/s | — |`);
  rows.push(`| peak RSS of the platform in the source runs | ${peakRss.toFixed(0)} MB | — | — |`);
  notes.push(`KafkaSource, over the measured records: platform CPU ${perRecord(ourCpu)} µs per record (store + delivery); bare bridge CPU ${perRecord(bareCpu)} µs per record (this process); budget 2 × the bridge's`);
  const busiest = otherThreadsCpu.filter((seconds) => seconds > 0);
  notes.push(`KafkaSource platform CPU by thread, µs per record: main ${perRecord(mainThreadCpu)}; the others, busiest first (V8's collector and compiler helpers, the store's writer, libuv's pool) ${busiest.map(perRecord).join(', ')}`);
}

async function sinkRuns(): Promise<void> {
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
  rows.push(
    `| KafkaSink, ${EVENTS.toLocaleString('en')} single events, 50 connections (median of ${ROUNDS}) | ${median(posted).toFixed(0)} events/s | bare kafkajs producer ${median(produced).toFixed(0)} events/s | ${median(sinkRatios).toFixed(2)} × (rounds ${sinkRatios.map((r) => r.toFixed(2)).join(', ')}; target ≥ 0.5) |`,
  );
  notes.push(`KafkaSink: platform CPU ${sinkTally.micros('platform')} µs per event, load generator ${sinkTally.micros('loader')} µs`);
}

try {
  if (ONLY !== 'sink') await sourceRuns();
  if (ONLY !== 'source') await sinkRuns();
  console.log(['', '| scenario | switchyard | baseline | result |', '|---|---|---|---|', ...rows, '', ...notes, ''].join('\n'));
  console.log(`${cpus().length} cores, node ${process.version}; the mock cluster runs in its own process`);
} finally {
  await mock.stop();
  rmSync(dir, { recursive: true, force: true });
}
