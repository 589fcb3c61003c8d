/** Runs the `switchyard` command as a user would: a child process of bin/switchyard.js. */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/switchyard.js', import.meta.url));
export const REPO = fileURLToPath(new URL('../../', import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `bin`: another installation's bin/switchyard.js (a copy of the checkout, an installed package). */
export function runCli(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string; bin?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [options.bin ?? BIN, ...args], { cwd: options.cwd ?? REPO, env: { ...process.env, ...options.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    if (options.input !== undefined) child.stdin.end(options.input);
    else child.stdin.end();
  });
}

/**
 * Runs the command with its standard output going into a pipe that nobody reads for the first
 * `readAfterMs` (or until the command exits): what a slow reader (`| less`, `| cat` on a busy
 * machine) sees. A command that exits before the pipe drained loses what the pipe could not hold.
 */
export function runCliThroughSlowPipe(args: readonly string[], options: { input?: string; readAfterMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.pause();
    const read = () => child.stdout.resume();
    const timer = setTimeout(read, options.readAfterMs ?? 1500);
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', () => {
      clearTimeout(timer);
      read();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(chunks).toString(), stderr }));
    child.stdin.end(options.input ?? '');
  });
}

export interface RunningCli {
  readonly child: ChildProcess;
  readonly url: string;
  output(): { stdout: string; stderr: string };
  /** Sends SIGTERM and waits for the exit code. */
  stop(): Promise<number | null>;
  /** Sends SIGKILL and waits for the process to be gone. */
  kill(): Promise<void>;
}

/** Starts `switchyard run` and resolves once it prints its address. */
export function startCli(args: readonly string[], options: { cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<RunningCli> {
  const child = spawn(process.execPath, [BIN, 'run', '--port', '0', '--log-level', 'warn', ...args], { cwd: options.cwd ?? REPO, env: { ...process.env, ...options.env } });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`switchyard run did not become ready in time\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, options.timeoutMs ?? 20_000);
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const ready = /Switchyard is ready on (http:\/\/\S+)/.exec(stdout);
      if (ready?.[1]) {
        clearTimeout(timer);
        resolve({
          child,
          url: ready[1],
          output: () => ({ stdout, stderr }),
          async stop() {
            child.kill('SIGTERM');
            return exited;
          },
          async kill() {
            child.kill('SIGKILL');
            await exited;
          },
        });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`switchyard run exited with ${code} before it was ready\nstdout: ${stdout}\nstderr: ${stderr}`));
    });
  });
}
