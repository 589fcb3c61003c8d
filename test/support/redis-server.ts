/**
 * A real Redis for the tests: a private `redis-server` on a free port (with AOF and
 * `appendfsync always` when a test needs persistence), or the one `REDIS_URL` names. Without
 * either, the tests fail with a message saying how to get one; they never skip.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, createConnection } from 'node:net';
import { Redis } from 'ioredis';
import { tempDir } from './temp-dir.ts';

const HOW_TO =
  'the Redis tests need a redis-server: install it (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) ' +
  'so that `redis-server` is on PATH, or point REDIS_URL at a Redis 7 you can write to (e.g. REDIS_URL=redis://127.0.0.1:6379/15)';

export interface TestRedis {
  /** `redis://127.0.0.1:PORT` (or REDIS_URL). */
  readonly url: string;
  /** A key prefix no other test uses, so tests sharing a Redis never see each other's keys. */
  freshPrefix(): string;
  /** `--store` for a platform on this Redis with a fresh (or the given) prefix. */
  storeUrl(options?: { prefix?: string; consumer?: string; claimIdleMs?: number }): string;
  /** Stops the server abruptly (SIGKILL) and starts it again on the same port and files. Private servers only. */
  restart(downMs?: number): Promise<void>;
  kill(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function findRedisServer(): string | undefined {
  for (const candidate of ['/usr/bin/redis-server', '/usr/local/bin/redis-server', '/opt/homebrew/bin/redis-server']) if (existsSync(candidate)) return candidate;
  try {
    return execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function ping(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    socket.setTimeout(500);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      // A server with requirepass answers NOAUTH: it is up all the same.
      resolve(/^(\+PONG|-NOAUTH)/.test(data.toString()));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
}

let prefixes = 0;

export async function startRedis(options: { persistence?: boolean; private?: boolean; args?: readonly string[] } = {}): Promise<TestRedis> {
  const given = process.env['REDIS_URL'];
  const run = randomBytes(3).toString('hex');
  const freshPrefix = () => `swt:${run}:${++prefixes}:`;
  const storeUrl = (url: string) => (o: { prefix?: string; consumer?: string; claimIdleMs?: number } = {}) => {
    const params = new URLSearchParams({ prefix: o.prefix ?? freshPrefix() });
    if (o.consumer !== undefined) params.set('consumer', o.consumer);
    if (o.claimIdleMs !== undefined) params.set('claim-idle', String(o.claimIdleMs));
    return `${url}?${params}`;
  };
  if (given !== undefined && given !== '' && options.persistence !== true && options.private !== true && options.args === undefined) {
    const notPrivate = async () => {
      throw new Error('this test needs a private redis-server it can stop and start; REDIS_URL cannot serve it');
    };
    // A shared Redis: on stop, the keys of this run's prefixes go.
    const removeKeys = async () => {
      const client = new Redis(given, { lazyConnect: true });
      try {
        await client.connect();
        for await (const keys of client.scanStream({ match: `swt:${run}:*`, count: 500 }) as AsyncIterable<string[]>) if (keys.length > 0) await client.del(...keys);
      } finally {
        client.disconnect();
      }
    };
    return { url: given, freshPrefix, storeUrl: storeUrl(given), restart: notPrivate, kill: notPrivate, start: notPrivate, stop: removeKeys };
  }
  const binary = findRedisServer();
  if (binary === undefined) throw new Error(HOW_TO);
  const port = await freePort();
  const dir = tempDir('switchyard-redis-');
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir.path, '--daemonize', 'no', '--logfile', ''];
  args.push(...(options.persistence ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']), ...(options.args ?? []));
  let child: ChildProcess | undefined;
  let output = '';

  const start = async () => {
    output = '';
    child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 10_000;
    while (!(await ping(port))) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`redis-server did not start on port ${port}:\n${output}\n${HOW_TO}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const kill = async () => {
    const running = child;
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };
  await start();
  const url = `redis://127.0.0.1:${port}`;
  return {
    url,
    freshPrefix,
    storeUrl: storeUrl(url),
    async restart(downMs = 0) {
      await kill();
      if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
      await start();
    },
    kill,
    start,
    async stop() {
      await kill();
      dir.remove();
    },
  };
}
