/**
 * Wakes readers waiting for new entries. Appends made by this process wake its readers at once;
 * appends made by other processes are seen by one blocking `XREAD` over every broker's stream,
 * on a connection of its own, running only while someone waits. One connection serves every
 * trigger: a blocking `XREADGROUP` per trigger would need a connection per trigger.
 */
import type { Redis } from 'ioredis';
import { send, streamsReply } from './redis-connection.ts';

const BLOCK_MS = 1000;

export class StreamWatcher {
  readonly #waiters = new Map<string, Set<() => void>>();
  /** Per stream key, the newest id already seen; XREAD returns what follows it. */
  readonly #lastSeen = new Map<string, string>();
  #wakeLoop: (() => void) | undefined;
  #closed = false;
  readonly #loop: Promise<void>;

  constructor(
    private readonly blocking: Redis,
    private readonly main: Redis,
    private readonly streamKeys: () => readonly string[],
  ) {
    this.#loop = this.#run();
  }

  /** Resolves on an append to the stream, or after `ms`. */
  wait(key: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      let waiters = this.#waiters.get(key);
      if (waiters === undefined) this.#waiters.set(key, (waiters = new Set()));
      const set = waiters;
      const done = () => {
        clearTimeout(timer);
        set.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      set.add(done);
      this.#wakeLoop?.();
    });
  }

  /** An append to the stream happened (here or elsewhere). */
  notify(key: string): void {
    const waiters = this.#waiters.get(key);
    if (waiters !== undefined) for (const wake of [...waiters]) wake();
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#wakeLoop?.();
    this.blocking.disconnect();
    await this.#loop;
  }

  #someoneWaits(): boolean {
    for (const set of this.#waiters.values()) if (set.size > 0) return true;
    return false;
  }

  async #run(): Promise<void> {
    while (!this.#closed) {
      if (!this.#someoneWaits()) {
        await new Promise<void>((resolve) => (this.#wakeLoop = resolve));
        this.#wakeLoop = undefined;
        continue;
      }
      const keys = this.streamKeys();
      if (keys.length === 0) {
        await new Promise((resolve) => setTimeout(resolve, BLOCK_MS));
        continue;
      }
      try {
        const reply = await send(this.blocking, 'XREAD', ['COUNT', '1', 'BLOCK', String(BLOCK_MS), 'STREAMS', ...keys, ...keys.map((key) => this.#lastSeen.get(key) ?? '$')], true);
        for (const [key] of streamsReply(reply)) {
          // Jump to the newest entry, so the next XREAD blocks instead of walking the backlog.
          const newest = (await send(this.main, 'XREVRANGE', [key, '+', '-', 'COUNT', '1'])) as Array<[string, unknown]>;
          if (newest[0] !== undefined) this.#lastSeen.set(key, newest[0][0]);
          this.notify(key);
        }
      } catch {
        if (this.#closed) break;
        // Redis is away: readers time out on their own; try again shortly.
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  }
}
