/** Starts a server as a child process, waits for its "ready on URL" line, and samples its resident memory. */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface ChildServer {
  readonly url: string;
  readonly child: ChildProcess;
  /** Largest resident set size seen so far, in MB of 10^6 bytes (sampled every 100 ms). */
  peakRssMB(): number;
  /** CPU time the process has used so far, all its threads, user and system, in seconds. */
  cpuSeconds(): number;
  /** The same by thread id (threadCpuSecondsOf). */
  threadCpuSeconds(): Map<number, number>;
  stop(): Promise<void>;
}

function rssMB(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return (kb * 1024) / 1e6;
  } catch {
    return 0;
  }
}

/** utime + stime from /proc/PID/stat (fields 14 and 15, after the parenthesised command name). */
export function cpuSecondsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/**
 * CPU seconds of each thread of `pid` (/proc/PID/task/TID/stat), by thread id. Node names every
 * thread `node`; the main thread's id is the process's.
 */
export function threadCpuSecondsOf(pid: number): Map<number, number> {
  const byThread = new Map<number, number>();
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return byThread;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      byThread.set(Number(tid), (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return byThread;
}

/** USER_HZ, 100 on every Linux this runs on (getconf CLK_TCK). */
const CLOCK_TICKS_PER_SECOND = 100;

export function startChildServer(command: string, args: readonly string[], cwd: string): Promise<ChildServer> {
  const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  let peak = 0;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${output}`)), 30_000);
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${output}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /ready on (http:\/\/\S+)/.exec(output);
      if (!ready?.[1]) return;
      clearTimeout(timer);
      const sampler = setInterval(() => {
        peak = Math.max(peak, rssMB(child.pid ?? 0));
      }, 100);
      resolve({
        url: ready[1],
        child,
        peakRssMB: () => Math.max(peak, rssMB(child.pid ?? 0)),
        cpuSeconds: () => cpuSecondsOf(child.pid ?? 0),
        threadCpuSeconds: () => threadCpuSecondsOf(child.pid ?? 0),
        stop: () =>
          new Promise((done) => {
            clearInterval(sampler);
            child.removeAllListeners('exit');
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}
