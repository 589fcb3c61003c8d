/**
 * Ingress throughput, as a ratio against a baseline measured in the same run (absolute numbers on
 * these machines drift; ratios hold). DESIGN.md, "Performance method".
 *
 *   baseline   a bare fastify route answering 202 (bench/support/bare-fastify.ts)
 *   single     `switchyard run` on the embedded store, durable commits, binary-mode events
 *   batch      the same platform, 100 events per request (application/cloudevents-batch+json)
 *
 * Same load generator (autocannon, 50 connections) for all three. Targets (issue #2): single ≥ 0.8
 * × baseline, batch ≥ 100,000 events/s, platform resident memory < 200 MB throughout.
 *
 * Usage: npm run bench:ingress [-- --duration 5 --rounds 5 --synchronous full|normal]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startChildServer } from './support/child-server.ts';
import { CpuTally, cpuDuring, ownCpuSeconds } from './support/cpu-time.ts';
import { CONNECTIONS, ingressLoad as load } from './support/ingress-load.ts';

const repo = fileURLToPath(new URL('../', import.meta.url));
const durationArg = process.argv.indexOf('--duration');
const duration = durationArg > 0 ? Number(process.argv[durationArg + 1]) : 5;
const roundsArg = process.argv.indexOf('--rounds');
const rounds = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 5;
const syncArg = process.argv.indexOf('--synchronous');
const synchronous = syncArg > 0 ? process.argv[syncArg + 1] : 'full';
const dir = mkdtempSync(join(tmpdir(), 'switchyard-bench-'));
writeFileSync(join(dir, 'broker.yaml'), 'apiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata:\n  name: default\n');

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

try {
  const bare = await startChildServer(process.execPath, ['--import', 'tsx', join(repo, 'bench/support/bare-fastify.ts')], repo);
  const platform = await startChildServer(
    process.execPath,
    [join(repo, 'bin/switchyard.js'), 'run', '-f', join(dir, 'broker.yaml'), '--port', '0', '--log-level', 'warn', '--store', `sqlite:${join(dir, 'store.db')}?synchronous=${synchronous}`],
    repo,
  );
  await load(`${bare.url}/default/default`, { seconds: 2 });
  await load(`${platform.url}/default/default`, { seconds: 2 });

  // Baseline and platform alternate, round by round, and the median of the per-round ratios is
  // reported: the machine's speed drifts by tens of percent within minutes.
  const baselines: number[] = [];
  const singles: number[] = [];
  const ratios: number[] = [];
  let baselineP99 = 0;
  let singleP99 = 0;
  let failures = 0;
  const baselineCpu = new CpuTally<'server' | 'load'>();
  const platformCpu = new CpuTally<'server' | 'load'>();
  for (let round = 0; round < rounds; round++) {
    const b = await cpuDuring({ server: bare.cpuSeconds, load: ownCpuSeconds }, () => load(`${bare.url}/default/default`, { seconds: duration }));
    const p = await cpuDuring({ server: platform.cpuSeconds, load: ownCpuSeconds }, () => load(`${platform.url}/default/default`, { seconds: duration }));
    const baseline = b.result;
    const single = p.result;
    baselineCpu.add(b.seconds, baseline.requestsPerSecond * duration);
    platformCpu.add(p.seconds, single.requestsPerSecond * duration);
    baselines.push(baseline.requestsPerSecond);
    singles.push(single.requestsPerSecond);
    ratios.push(single.requestsPerSecond / baseline.requestsPerSecond);
    baselineP99 = Math.max(baselineP99, baseline.p99);
    singleP99 = Math.max(singleP99, single.p99);
    failures += baseline.failures + single.failures;
  }
  const batch = await load(`${platform.url}/default/default`, { batch: true, seconds: duration });
  const peakRss = platform.peakRssMB();
  await bare.stop();
  await platform.stop();

  const ratio = median(ratios);
  const batchEvents = batch.requestsPerSecond * 100;
  const rows = [
    ['bare fastify 202 (baseline)', `${median(baselines).toFixed(0)} req/s`, `${baselineP99} ms`, '—'],
    ['switchyard, single binary events', `${median(singles).toFixed(0)} events/s`, `${singleP99} ms`, `${ratio.toFixed(2)} × baseline (target ≥ 0.80)`],
    ['switchyard, batches of 100', `${batchEvents.toFixed(0)} events/s`, `${batch.p99} ms`, 'target ≥ 100,000 events/s'],
  ];
  console.log(`\n| scenario | throughput (median) | worst p99 latency | result |\n|---|---|---|---|`);
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
  console.log(`\nper-round ratios: ${ratios.map((r) => r.toFixed(2)).join(', ')}`);
  console.log(`platform peak resident memory: ${peakRss.toFixed(0)} MB (target < 200 MB)`);
  console.log(
    `CPU per request: baseline ${baselineCpu.micros('server')} µs (load generator ${baselineCpu.micros('load')} µs), ` +
      `platform ${platformCpu.micros('server')} µs (load generator ${platformCpu.micros('load')} µs), ${cpus().length} cores`,
  );
  console.log(`failed requests: ${failures + batch.failures}`);
  console.log(`${CONNECTIONS} connections, ${rounds} rounds of ${duration} s, store synchronous=${synchronous}, node ${process.version}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
