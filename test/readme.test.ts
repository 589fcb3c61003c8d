/**
 * Every command block in the README is run, in order, as a user would run it after `npm start`,
 * and what the README shows after a command (`# ` lines, or a console transcript) must be what it
 * prints. The README cannot drift from the commands.
 *
 * What the test changes, and only this: ports (`--port 8080` becomes a free port, and every
 * `http://127.0.0.1:8080` the platform's address, in commands and shown output; likewise, within
 * its block, the address of a `switchyard run --port N`); stores (a
 * `switchyard run` or `npm start` without `--store`, or with a `sqlite:` one, gets one in a temporary folder, and
 * `redis://127.0.0.1:6379` becomes a private redis-server started as the README says, on a free
 * port). Commands that serve (npm start, switchyard run, redis-server) run in the background
 * until their block ends (npm start: until the end). Between blocks the test waits for what a
 * reader waits for (the reply to be stored, the payment to be dead-lettered).
 *
 * Not run here, each for its reason: `npm install` (CI has just installed; it would change
 * node_modules under the running tests), `npm test` (it is what runs this test), and the
 * "Outside a clone" block, which test/packaging.test.ts runs.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadManifests } from '../services/manifests/load-manifests.ts';
import { loadPlatformConfig } from '../services/manifests/load-platform-config.ts';
import { REPO } from './support/cli.ts';
import { consoleCommands, missingOutput, type ReadmeBlock, type ReadmeCommand, readmeBlocks, shellCommands } from './support/readme-blocks.ts';
import { findRedisServer, freePort, ping } from './support/redis-server.ts';
import { tempDir } from './support/temp-dir.ts';
import { waitFor } from './support/wait-for.ts';

const README = readFileSync(join(REPO, 'README.md'), 'utf8');
const blocks = readmeBlocks(README);
const dir = tempDir('switchyard-readme-');

interface Server {
  readonly child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

let platformUrl = '';
let quickstartStore = '';
let quickstart: Server | undefined;
let redisPort = 0;
let servers: Server[] = [];
let runs = 0;

afterAll(async () => {
  for (const server of [...servers, ...(quickstart ? [quickstart] : [])]) await server.stop();
  dir.remove();
});

function serve(command: string, args: readonly string[], ready: (output: string) => boolean | Promise<boolean>, what: string): Promise<Server> {
  const child = spawn(command, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env } });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const server: Server = {
    child,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
  return waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}:\n${output}`);
      return (await ready(output)) ? server : undefined;
    },
    `${what} to be ready`,
    30_000,
    50,
  );
}

const READY = /Switchyard is ready on (http:\/\/\S+)/;
/** `http://127.0.0.1:PORT` of a `switchyard run --port PORT` in the block being run → where it really listens. */
let blockUrls = new Map<string, string>();
const withPlatform = (text: string) => {
  let replaced = text.replaceAll('http://127.0.0.1:8080', platformUrl);
  for (const [shown, actual] of blockUrls) replaced = replaced.replaceAll(shown, actual);
  return replaced;
};

/** A serving command, started as the README says with ports and stores made private. */
async function startServer(text: string): Promise<Server> {
  if (text.startsWith('npm install && npm start')) {
    quickstartStore = `sqlite:${join(dir.path, 'quickstart.db')}`;
    quickstart = await serve('npm', ['start', '--', '--port', '0', '--store', quickstartStore], (out) => READY.test(out), 'npm start');
    platformUrl = READY.exec(quickstart.output())?.[1] as string;
    return quickstart;
  }
  if (text.startsWith('redis-server ')) {
    const binary = findRedisServer();
    if (binary === undefined) throw new Error('redis-server is needed to run the README\'s Redis block (apt-get install redis-server)');
    redisPort = await freePort();
    const data = join(dir.path, 'redis');
    mkdirSync(data, { recursive: true });
    const args = [...text.split(/\s+/).slice(1), '--port', String(redisPort), '--dir', data, '--bind', '127.0.0.1'];
    const server = await serve(binary, args, () => ping(redisPort), 'redis-server');
    servers.push(server);
    return server;
  }
  const shownPort = /--port (\d+)/.exec(text)?.[1];
  const args = text
    .replace(/^npx switchyard run /, '')
    .replaceAll('redis://127.0.0.1:6379', `redis://127.0.0.1:${redisPort}`)
    .replace(/--port \d+/, '--port 0')
    .split(/\s+/);
  if (!args.includes('--port')) args.push('--port', '0');
  const store = `sqlite:${join(dir.path, `run-${++runs}.db`)}`;
  const storeAt = args.indexOf('--store');
  if (storeAt === -1) args.push('--store', store);
  else if (args[storeAt + 1]?.startsWith('sqlite:')) args[storeAt + 1] = store;
  const server = await serve('npx', ['switchyard', 'run', ...args], (out) => READY.test(out), text);
  servers.push(server);
  const url = READY.exec(server.output())?.[1];
  if (shownPort !== undefined && shownPort !== '8080' && url !== undefined) blockUrls.set(`http://127.0.0.1:${shownPort}`, url);
  return server;
}

const SERVES = /^(npm install && npm start|redis-server |npx switchyard run )/;

function runShell(text: string): Promise<{ code: number | null; lines: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', withPlatform(text)], { cwd: REPO, env: { ...process.env, SWITCHYARD_URL: platformUrl } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const lines = (text: string) => text.replaceAll('\r', '').split('\n');
      resolve({ code, lines: [...lines(stdout), ...lines(stderr)] });
    });
  });
}

async function api<T>(path: string): Promise<T> {
  return (await (await fetch(`${platformUrl}${path}`)).json()) as T;
}

/** What a reader waits for before the block that starts with this command. */
const WAITS: ReadonlyArray<readonly [RegExp, string, () => Promise<boolean>]> = [
  [/ce-id: pay-42/, 'the order\'s reply to be stored', async () => (await api<{ events: unknown[] }>('/api/v1/brokers/default/default/events')).events.length >= 2],
  [/^npx switchyard dlq list/, 'the payment to be dead-lettered', async () => (await api<{ deadLetters: unknown[] }>('/api/v1/dead-letters')).deadLetters.length >= 1],
];

async function runCommand(command: ReadmeCommand): Promise<void> {
  if (command.text.startsWith('npm test')) return; // the command running this test
  const shown = command.expected.map(withPlatform);
  if (SERVES.test(command.text)) {
    const server = await startServer(command.text);
    expect(missingOutput(shown, server.output().split('\n')), `${command.text} prints`).toEqual([]);
    return;
  }
  const { code, lines } = await runShell(command.text);
  if (shown.length === 0) expect(code, `${command.text}\n${lines.join('\n')}`).toBe(0);
  else expect(missingOutput(shown, lines), `${command.text} printed:\n${lines.join('\n')}`).toEqual([]);
}

const firstCommand = (block: ReadmeBlock) => (block.lang === 'console' ? consoleCommands(block.body) : shellCommands(block.body))[0]?.text ?? '';
const isOutsideAClone = (block: ReadmeBlock) => firstCommand(block).startsWith('npm pack');

describe('README examples', () => {
  it('every block says what it is: sh, bash, console, yaml, text or ts', () => {
    expect(blocks.filter((b) => !['sh', 'bash', 'console', 'yaml', 'text', 'ts'].includes(b.lang)).map((b) => `line ${b.line}`)).toEqual([]);
    expect(blocks.filter(isOutsideAClone)).toHaveLength(1);
  });

  const runnable = blocks.filter((b) => ['sh', 'bash', 'console'].includes(b.lang) && !isOutsideAClone(b));
  it.each(runnable.map((b) => [`line ${b.line}: ${firstCommand(b).split('\n')[0]}`, b] as const))('README %s', async (_name, block) => {
    for (const [pattern, what, ready] of WAITS) if (pattern.test(block.body)) await waitFor(ready, what, 15_000, 100);
    const commands = block.lang === 'console' ? consoleCommands(block.body) : shellCommands(block.body);
    try {
      for (const command of commands) await runCommand(command);
    } finally {
      for (const server of servers) await server.stop();
      servers = [];
      blockUrls = new Map();
    }
    if (block.line === runnable[0]?.line) {
      // The text block that follows the quick start is what npm start prints.
      const printed = blocks.find((b) => b.lang === 'text' && b.line > block.line);
      const shown = (printed?.body ?? '').split('\n').map((line) => withPlatform(line).replace('sqlite:.switchyard/switchyard.db', quickstartStore));
      expect(missingOutput(shown, quickstart?.output().split('\n') ?? [])).toEqual([]);
    }
  }, 120_000);

  it.each(blocks.filter((b) => b.lang === 'yaml').map((b) => [`line ${b.line}`, b] as const))('README yaml at %s is valid as written', (_name, block) => {
    const folder = join(dir.path, `yaml-${block.line}`);
    mkdirSync(folder, { recursive: true });
    // The Function example names ./functions/fulfil-order.ts, as the quickstart's does.
    cpSync(join(REPO, 'examples', 'quickstart', 'functions'), join(folder, 'functions'), { recursive: true });
    const file = join(folder, 'example.yaml');
    if (/^kind: PlatformConfig$/m.test(block.body)) {
      writeFileSync(file, block.body);
      expect(loadPlatformConfig(file).problems).toEqual([]);
      return;
    }
    // A fragment of a Trigger's spec (the CESQL example) is checked inside a Trigger.
    const text = /^kind:/m.test(block.body)
      ? block.body
      : `apiVersion: eventing.knative.dev/v1\nkind: Trigger\nmetadata: { name: t }\nspec:\n  broker: default\n  subscriber: { uri: http://localhost:9000/ }\n${block.body}\n`;
    writeFileSync(file, text);
    const loaded = loadManifests([file]);
    expect(loaded.problems).toEqual([]);
    const kinds = [loaded.brokers, loaded.triggers, loaded.functions, loaded.pingSources, loaded.webhookSources, loaded.kafkaSources, loaded.kafkaSinks, loaded.channels, loaded.subscriptions, loaded.sequences, loaded.parallels];
    expect(kinds.reduce((sum, resources) => sum + resources.length, 0)).toBeGreaterThan(0);
  });
});
