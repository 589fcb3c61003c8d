/**
 * The main thread's side of the writer thread: numbered requests, their answers, and what happens
 * when the thread dies (every open request fails, and `onGone` is told why).
 */
import type { Worker } from 'node:worker_threads';
import { siblingModule, startModuleWorker } from '../../runtime/module-worker.ts';
import type { WriterInit, WriterRequest, WriterResponse } from './sqlite-writer-protocol.ts';

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;
export type WriterCall = DistributiveOmit<WriterRequest, 'id'>;

export class WriterClient {
  readonly #worker: Worker;
  readonly #calls = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  #nextCall = 1;
  #failure: string | undefined;
  #stopping = false;

  constructor(init: WriterInit, onGone: (reason: string) => void) {
    this.#worker = startModuleWorker(siblingModule('sqlite-writer', import.meta.url), { workerData: init });
    this.#worker.on('message', (response: WriterResponse) => {
      const call = this.#calls.get(response.id);
      if (call === undefined) return;
      this.#calls.delete(response.id);
      if (response.ok) call.resolve(response.result);
      else call.reject(new Error(response.message));
    });
    const gone = (reason: string) => {
      if (this.#failure !== undefined || this.#stopping) return;
      this.#failure = reason;
      for (const call of this.#calls.values()) call.reject(new Error(reason));
      this.#calls.clear();
      onGone(reason);
    };
    this.#worker.on('error', (error) => gone(`the store's writer thread failed: ${error.message}`));
    this.#worker.on('exit', (code) => gone(`the store's writer thread exited (code ${code})`));
  }

  /** Why the writer is gone, if it is. */
  get failure(): string | undefined {
    return this.#failure;
  }

  call(request: WriterCall, transfer: ArrayBuffer[] = []): Promise<unknown> {
    if (this.#failure !== undefined) return Promise.reject(new Error(this.#failure));
    const id = this.#nextCall++;
    return new Promise((resolve, reject) => {
      this.#calls.set(id, { resolve, reject });
      this.#worker.postMessage({ ...request, id }, transfer);
    });
  }

  async stop(): Promise<void> {
    if (this.#failure === undefined) await this.call({ op: 'close' }).catch(() => undefined);
    this.#stopping = true;
    await this.#worker.terminate();
  }
}
