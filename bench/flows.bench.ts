/**
 * Flows: publisher → switchyard (embedded store, durable commits) → a 3-step Sequence of HTTP
 * steps (two that reply with the event, a last one that counts it), against the one-trigger case
 * of bench:e2e (publisher → one trigger → the same sink) in the same run.
 *
 *   throughput   N events as fast as 50 connections go, from the first publish to the last arrival
 *                at the last step; target ≥ 0.3 × one trigger (each step costs no more than one
 *                trigger's delivery). Platform CPU per event, and per event per step, printed.
 *   backlog      step 2's destination failing (503, retried after a long backoff), 100,000 events
 *                sent through steps 0 and 1 into step 2, until step 2 has tried each: peak resident
 *                memory (target < 256 MB)
 *
 * Usage: npm run bench:flows [-- --events 20000 --rounds 3]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { type ChildServer, startChildServer } from './support/child-server.ts';
import { CpuTally, cpuDuring, ownCpuSeconds } from './support/cpu-time.ts';

const repo = fileURLToPath(new URL('../', import.meta.url));
const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const EVENTS = arg('events', 20_000);
const ROUNDS = arg('rounds', 3);
const BACKLOG = arg('backlog', 100_000);
const dir = mkdtempSync(join(tmpdir(), 'switchyard-flows-'));
const headers = { 'ce-specversion': '1.0', 'ce-id': 'flow', 'ce-source': '/bench', 'ce-type': 'com.example.match', 'content-type': 'application/json' };
const now = () => performance.timeOrigin + performance.now();

async function sinkCount(sink: ChildServer, reset = false): Promise<number> {
  const response = await fetch(`${sink.url}/stats${reset ? '?reset=1' : ''}`);
  return ((await response.json()) as { count: number }).count;
}

async function untilCount(sink: ChildServer, count: number, timeoutMs = 300_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const current = await sinkCount(sink);
    if (current >= count) return now();
    if (Date.now() > deadline) throw new Error(`the last step got ${current} of ${count} events`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const BROKER = 'apiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata: { name: default }\n';

function oneTrigger(sinkUrl: string): string {
  return `${BROKER}---\napiVersion: eventing.knative.dev/v1\nkind: Trigger\nmetadata: { name: t }\nspec:\n  broker: default\n  subscriber: { uri: "${sinkUrl}" }\n`;
}

function sequence(stepUrls: readonly string[], delivery = ''): string {
  return `apiVersion: flows.knative.dev/v1\nkind: Sequence\nmetadata: { name: s }\nspec:\n  steps:\n${stepUrls.map((url, i) => `    - uri: "${url}"\n${i === stepUrls.length - 1 ? delivery : ''}`).join('')}`;
}

async function platform(name: string, yaml: string): Promise<ChildServer> {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, yaml);
  return startChildServer(process.execPath, [join(repo, 'bin/switchyard.js'), 'run', '-f', file, '--port', '0', '--log-level', 'error', '--store', `sqlite:${join(dir, `${name}.db`)}`], repo);
}

type Party = 'publisher' | 'platform' | 'sink';

async function throughput(url: string, target: ChildServer, sink: ChildServer, tally: CpuTally<Party>): Promise<number> {
  await sinkCount(sink, true);
  const run = await cpuDuring({ publisher: ownCpuSeconds, platform: target.cpuSeconds, sink: sink.cpuSeconds }, async () => {
    const started = now();
    const delivered = untilCount(sink, EVENTS);
    await autocannon({ url, method: 'POST', headers, body: '{"order":42}', connections: 50, amount: EVENTS });
    return EVENTS / (((await delivered) - started) / 1000);
  });
  tally.add(run.seconds, EVENTS);
  return run.result;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

try {
  const sink = await startChildServer(process.execPath, ['--import', 'tsx', join(repo, 'bench/support/counting-sink.ts')], repo);
  const one = await platform('one', oneTrigger(sink.url));
  const flow = await platform('flow', sequence([`${sink.url}/echo/0`, `${sink.url}/echo/1`, `${sink.url}/end`]));
  const oneCpu = new CpuTally<Party>();
  const flowCpu = new CpuTally<Party>();
  // Warm-up of both, then rounds alternating, so drift in the machine hits both alike.
  await throughput(`${one.url}/default/default`, one, sink, new CpuTally<Party>());
  await throughput(`${flow.url}/flows/default/sequences/s`, flow, sink, new CpuTally<Party>());
  const ratios: number[] = [];
  const oneRates: number[] = [];
  const flowRates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const viaOne = await throughput(`${one.url}/default/default`, one, sink, oneCpu);
    const viaFlow = await throughput(`${flow.url}/flows/default/sequences/s`, flow, sink, flowCpu);
    oneRates.push(viaOne);
    flowRates.push(viaFlow);
    ratios.push(viaFlow / viaOne);
  }
  await one.stop();
  await flow.stop();

  // Backlog: step 2's destination answers 503, retried after a long backoff.
  await sinkCount(sink, true);
  const down = await platform('down', sequence([`${sink.url}/echo/0`, `${sink.url}/echo/1`, `${sink.url}/fail`], '      delivery: { retry: 5, backoffDelay: PT600S }\n'));
  const batch = JSON.stringify(Array.from({ length: 100 }, (_, i) => ({ specversion: '1.0', id: `b${i}`, source: '/bench', type: 'com.example.match', data: { i } })));
  await autocannon({ url: `${down.url}/flows/default/sequences/s`, method: 'POST', headers: { 'content-type': 'application/cloudevents-batch+json' }, body: batch, connections: 10, amount: BACKLOG / 100 });
  // Until step 2 has tried every event once (offsets are shared by all logs, so its log's newest
  // offset would not say how many it holds).
  const waitStarted = Date.now();
  for (;;) {
    const { failed } = (await (await fetch(`${sink.url}/stats`)).json()) as { failed: number };
    if (failed >= BACKLOG) break;
    if (Date.now() - waitStarted > 600_000) throw new Error('step 2 did not receive the backlog in 10 minutes');
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  await new Promise((resolve) => setTimeout(resolve, 5000));
  const backlogRss = down.peakRssMB();
  await down.stop();
  await sink.stop();

  const stepMicros = (Number(flowCpu.micros('platform')) / 3).toFixed(1);
  console.log('\n| scenario | switchyard | baseline | result |\n|---|---|---|---|');
  console.log(
    `| throughput, 3-step Sequence (median of ${ROUNDS}) | ${median(flowRates).toFixed(0)} events/s | one trigger ${median(oneRates).toFixed(0)} events/s | ${median(ratios).toFixed(2)} × one trigger (rounds ${ratios.map((r) => r.toFixed(2)).join(', ')}; target ≥ 0.30) |`,
  );
  console.log(`| ${BACKLOG.toLocaleString('en')} events waiting in step 2 | peak RSS ${backlogRss.toFixed(0)} MB | — | target < 256 MB |`);
  console.log('');
  console.log(`one trigger: CPU per event: publisher ${oneCpu.micros('publisher')} µs, platform ${oneCpu.micros('platform')} µs, sink ${oneCpu.micros('sink')} µs`);
  console.log(`3-step Sequence: CPU per event: publisher ${flowCpu.micros('publisher')} µs, platform ${flowCpu.micros('platform')} µs (${stepMicros} µs per step), sink ${flowCpu.micros('sink')} µs (three requests)`);
  console.log(`\n${EVENTS} events per throughput run, ${cpus().length} cores, node ${process.version}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
