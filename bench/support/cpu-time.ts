/**
 * Where the machine's CPU went during a measurement: on a machine whose cores are all busy,
 * throughput follows the CPU time per request summed over every process (docs/benchmarks.md).
 */

/** CPU seconds a process has used so far. */
export type CpuClock = () => number;

/** This process's CPU seconds (the load generator, when it runs in the benchmark process). */
export const ownCpuSeconds: CpuClock = () => {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1e6;
};

/** Runs `work`, and answers its result with the CPU seconds each clock advanced meanwhile. */
export async function cpuDuring<K extends string, T>(clocks: Record<K, CpuClock>, work: () => Promise<T>): Promise<{ result: T; seconds: Record<K, number> }> {
  const names = Object.keys(clocks) as K[];
  const before = names.map((name) => clocks[name]());
  const result = await work();
  const seconds = {} as Record<K, number>;
  names.forEach((name, i) => (seconds[name] = clocks[name]() - (before[i] as number)));
  return { result, seconds };
}

/** CPU seconds per process and a count of requests, summed over rounds. */
export class CpuTally<K extends string> {
  readonly #seconds = new Map<K, number>();
  #requests = 0;

  add(seconds: Record<K, number>, requests: number): void {
    for (const name of Object.keys(seconds) as K[]) this.#seconds.set(name, (this.#seconds.get(name) ?? 0) + seconds[name]);
    this.#requests += requests;
  }

  /** Microseconds of `name`'s CPU per request, one decimal. */
  micros(name: K): string {
    return (((this.#seconds.get(name) ?? 0) * 1e6) / this.#requests).toFixed(1);
  }
}
