/**
 * The Redis engine, as ratios against baselines measured in the same run (issue #5):
 *
 *   ingress      single binary events to `switchyard run --store redis://…` against a bare fastify
 *                route answering 202, rounds alternating (target ≥ 0.8)
 *   batch        batches of 100 events (target ≥ 100,000 events/s)
 *   two processes  N events published half to each of two processes sharing the Redis, one trigger,
 *                one HTTP sink: events/s from first publish to last delivery, against one process
 *                taking all N (target ≥ 1.5 × one process)
 *
 * Redis is a private redis-server with AOF (appendfsync everysec by default, the setting Redis
 * recommends; --appendfsync always for the strictest).
 *
 * Usage: npm run bench:redis [-- --duration 5 --rounds 5 --events 20000 --appendfsync everysec|always|off]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { type ChildServer, startChildServer } from './support/child-server.ts';
import { CpuTally, cpuDuring, ownCpuSeconds } from './support/cpu-time.ts';
import { CONNECTIONS, ingressLoad as load, singleHeaders } from './support/ingress-load.ts';
import { startBenchRedis } from './support/redis-server.ts';

const repo = fileURLToPath(new URL('../', import.meta.url));
const arg = (name: string, fallback: string) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? (process.argv[at + 1] ?? fallback) : fallback;
};
const duration = Number(arg('duration', '5'));
const rounds = Number(arg('rounds', '5'));
const EVENTS = Number(arg('events', '20000'));
const appendfsync = arg('appendfsync', 'everysec') as 'always' | 'everysec' | 'off';
const dir = mkdtempSync(join(tmpdir(), 'switchyard-bench-'));
const now = () => performance.timeOrigin + performance.now();
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

function platform(name: string, yaml: string, store: string): Promise<ChildServer> {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, yaml);
  return startChildServer(process.execPath, [join(repo, 'bin/switchyard.js'), 'run', '-f', file, '--port', '0', '--log-level', 'error', '--store', store], repo);
}

async function sinkCount(sink: ChildServer, reset = false): Promise<number> {
  const response = await fetch(`${sink.url}/stats${reset ? '?reset=1' : ''}`);
  return ((await response.json()) as { count: number }).count;
}

/** Publishes EVENTS split evenly over the processes; events/s from the first publish to the last delivery. */
async function endToEnd(processes: readonly ChildServer[], sink: ChildServer): Promise<number> {
  await sinkCount(sink, true);
  const started = now();
  const share = Math.floor(EVENTS / processes.length);
  const publishing = processes.map((p) =>
    autocannon({ url: `${p.url}/default/default`, method: 'POST', headers: singleHeaders, body: '{"order":42}', connections: Math.ceil(CONNECTIONS / processes.length), amount: share }),
  );
  for (;;) {
    if ((await sinkCount(sink)) >= share * processes.length) break;
    if (now() - started > 300_000) throw new Error('the sink did not get every event in 5 minutes');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const finished = now();
  await Promise.all(publishing);
  return (share * processes.length) / ((finished - started) / 1000);
}

const broker = 'apiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata: { name: default }\n';
const redis = await startBenchRedis(appendfsync);
try {
  const rows: string[][] = [];
  const bare = await startChildServer(process.execPath, ['--import', 'tsx', join(repo, 'bench/support/bare-fastify.ts')], repo);
  const single = await platform('ingress', broker, `${redis.url}?prefix=bench-ingress:`);
  await load(`${bare.url}/default/default`, { seconds: 2 });
  await load(`${single.url}/default/default`, { seconds: 2 });
  const ratios: number[] = [];
  const baselines: number[] = [];
  const singles: number[] = [];
  let failures = 0;
  const baselineCpu = new CpuTally<'server' | 'load'>();
  const platformCpu = new CpuTally<'server' | 'redis' | 'load'>();
  for (let round = 0; round < rounds; round++) {
    const b = await cpuDuring({ server: bare.cpuSeconds, load: ownCpuSeconds }, () => load(`${bare.url}/default/default`, { seconds: duration }));
    const p = await cpuDuring({ server: single.cpuSeconds, redis: redis.cpuSeconds, load: ownCpuSeconds }, () =>
      load(`${single.url}/default/default`, { seconds: duration }),
    );
    const baseline = b.result;
    const measured = p.result;
    baselineCpu.add(b.seconds, baseline.requestsPerSecond * duration);
    platformCpu.add(p.seconds, measured.requestsPerSecond * duration);
    baselines.push(baseline.requestsPerSecond);
    singles.push(measured.requestsPerSecond);
    ratios.push(measured.requestsPerSecond / baseline.requestsPerSecond);
    failures += baseline.failures + measured.failures;
  }
  const batch = await load(`${single.url}/default/default`, { batch: true, seconds: duration });
  failures += batch.failures;
  const ingressRss = single.peakRssMB();
  await bare.stop();
  await single.stop();
  rows.push(['ingress, single binary events', `${median(singles).toFixed(0)} events/s`, `bare fastify ${median(baselines).toFixed(0)} req/s`, `${median(ratios).toFixed(2)} × baseline (target ≥ 0.80)`]);
  rows.push(['ingress, batches of 100', `${(batch.requestsPerSecond * 100).toFixed(0)} events/s`, '—', 'target ≥ 100,000 events/s']);

  const sink = await startChildServer(process.execPath, ['--import', 'tsx', join(repo, 'bench/support/counting-sink.ts')], repo);
  const trigger = `---\napiVersion: eventing.knative.dev/v1\nkind: Trigger\nmetadata: { name: all }\nspec:\n  broker: default\n  subscriber: { uri: "${sink.url}" }\n`;
  const oneStore = `${redis.url}?prefix=bench-one:&consumer=one`;
  const one = await platform('one', broker + trigger, oneStore);
  await endToEnd([one], sink);
  const oneRate = await endToEnd([one], sink);
  await one.stop();
  const twoStore = (consumer: string) => `${redis.url}?prefix=bench-two:&consumer=${consumer}`;
  const first = await platform('two-a', broker + trigger, twoStore('a'));
  const second = await platform('two-b', broker + trigger, twoStore('b'));
  await endToEnd([first, second], sink);
  const twoRate = await endToEnd([first, second], sink);
  await first.stop();
  await second.stop();
  await sink.stop();
  rows.push(['end to end, two processes, one trigger', `${twoRate.toFixed(0)} events/s`, `one process ${oneRate.toFixed(0)} events/s`, `${(twoRate / oneRate).toFixed(2)} × one process (target ≥ 1.5)`]);

  console.log('\n| scenario | switchyard on Redis | baseline | result |\n|---|---|---|---|');
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
  console.log(`\nper-round ingress ratios: ${ratios.map((r) => r.toFixed(2)).join(', ')}`);
  console.log(`ingress platform peak resident memory: ${ingressRss.toFixed(0)} MB; failed requests: ${failures}`);
  console.log(
    `ingress CPU per request: baseline ${baselineCpu.micros('server')} µs (load generator ${baselineCpu.micros('load')} µs), ` +
      `platform ${platformCpu.micros('server')} µs + redis-server ${platformCpu.micros('redis')} µs (load generator ${platformCpu.micros('load')} µs)`,
  );
  console.log(`${CONNECTIONS} connections, ${rounds} rounds of ${duration} s, ${EVENTS} events end to end, redis appendfsync ${appendfsync}, ${cpus().length} cores, node ${process.version}`);
} finally {
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
}
