/**
 * How users start and stop the platform: `npm start` and `npx switchyard run` as the README says,
 * stopped with a signal to the process the user started; `npm start` neither rebuilds dist/ nor
 * compiles anything when nothing changed; `--help` loads none of the heavy parts.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, statSync, symlinkSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, REPO, runCli, startCli } from '../support/cli.ts';
import { tempDir } from '../support/temp-dir.ts';
import { waitFor } from '../support/wait-for.ts';

const dir = tempDir();
afterAll(() => dir.remove());

interface Started {
  readonly child: ChildProcess;
  readonly url: string;
  output(): string;
  readonly exited: Promise<number | null>;
}

/** Starts a command (npm, npx) that starts the platform, and resolves once the platform is ready. */
function startThrough(command: string, args: readonly string[]): Promise<Started> {
  const child = spawn(command, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready in time:\n${output}`)), 30_000);
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /Switchyard is ready on (http:\/\/\S+)/.exec(output);
      if (ready?.[1]) {
        clearTimeout(timer);
        resolve({ child, url: ready[1], output: () => output, exited });
      }
    });
  });
}

async function refused(url: string): Promise<boolean> {
  try {
    await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
    return false;
  } catch {
    return true;
  }
}

const distMain = join(REPO, 'dist', 'services', 'cli', 'main.js');

describe('Signals', () => {
  it('npm start stopped with SIGTERM leaves no platform behind holding the port', async () => {
    const builtAt = statSync(distMain).mtimeMs;
    const started = await startThrough('npm', ['start', '--', '--port', '0', '--store', `sqlite:${join(dir.path, 'npm-start.db')}`]);
    expect(await refused(started.url)).toBe(false);
    started.child.kill('SIGTERM');
    await started.exited;
    await waitFor(() => refused(started.url), 'the platform started by npm start to stop and free its port', 10_000, 100);
    expect(started.output()).toMatch(/"msg":"stopping"/);
    // npm start must not rebuild dist/ (npm test may be using it).
    expect(statSync(distMain).mtimeMs).toBe(builtAt);
  });

  it('npx switchyard run stopped with SIGTERM leaves no platform behind either', async () => {
    const started = await startThrough('npx', ['switchyard', 'run', '-f', 'examples/quickstart', '--port', '0', '--store', `sqlite:${join(dir.path, 'npx.db')}`]);
    started.child.kill('SIGTERM');
    await started.exited;
    await waitFor(() => refused(started.url), 'the platform started by npx to stop and free its port', 10_000, 100);
  });

  it.each(['SIGTERM', 'SIGINT', 'SIGHUP'] as const)('switchyard run stops on %s: logs "stopping", closes in order and exits 0', async (signal) => {
    const platform = await startCli(['-f', 'examples/quickstart', '--store', `sqlite:${join(dir.path, `${signal}.db`)}`, '--log-level', 'info']);
    platform.child.kill(signal);
    const code = await new Promise<number | null>((resolve) => platform.child.once('exit', resolve));
    expect(code).toBe(0);
    expect(platform.output().stderr).toContain(`"signal":"${signal}","msg":"stopping"`);
    expect(await refused(platform.url)).toBe(true);
  });
});

describe('npm start must not rebuild dist/ that npm test is using', () => {
  it('runs dist/ when it is as new as the sources, and the sources (compiling nothing into dist/) once one is newer', async () => {
    // A copy of the checkout, so that touching a source does not change what other tests run.
    const copy = join(dir.path, 'checkout');
    mkdirSync(copy);
    for (const entry of ['bin', 'dist', 'services', 'schemas', 'sources', 'examples', 'package.json', 'tsconfig.json']) cpSync(join(REPO, entry), join(copy, entry), { recursive: true, preserveTimestamps: true });
    symlinkSync(join(REPO, 'node_modules'), join(copy, 'node_modules'));
    const version = async () => (await runCli(['--version'], { cwd: copy, bin: join(copy, 'bin', 'switchyard.js') })).stdout;
    expect(await version()).toContain('from dist/');
    const copiedMain = join(copy, 'dist', 'services', 'cli', 'main.js');
    const builtAt = statSync(copiedMain).mtimeMs;
    const later = new Date(builtAt + 5000);
    utimesSync(join(copy, 'services', 'errors.ts'), later, later);
    expect(await version()).toContain('from the TypeScript sources');
    expect(statSync(copiedMain).mtimeMs).toBe(builtAt);
  });

  it('the start script runs the platform without building anything', () => {
    const { scripts } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(scripts['start']).toBe('node bin/switchyard.js run -f examples/quickstart');
  });
});

describe('the CLI\'s --help and simple commands do not load fastify, SQLite and the Redis client', () => {
  it.each([['--help'], ['run', '--help'], ['cesql', '1 + 1'], ['dlq', 'list', '--url', 'http://127.0.0.1:9']])('switchyard %s', async (...args) => {
    const trace = join(dir.path, `trace-${args.join('-').replace(/[^a-z0-9]/gi, '')}.txt`);
    const child = spawn(process.execPath, ['--import', join(REPO, 'test', 'support', 'import-trace-register.mjs'), BIN, ...args], { cwd: REPO, env: { ...process.env, IMPORT_TRACE: trace } });
    await new Promise((resolve) => child.on('exit', resolve));
    const loaded = readFileSync(trace, 'utf8');
    expect(loaded).toContain('/services/cli/main.');
    for (const heavy of ['/node_modules/fastify/', '/node_modules/better-sqlite3/', '/node_modules/ioredis/', '/node_modules/bullmq/']) expect(loaded, heavy).not.toContain(heavy);
  });
});
