/**
 * Hosts Function sinks off the main thread: `concurrency` worker threads per Function, each running
 * one invocation at a time. A handler that throws or outlives `timeout` is a failed attempt (the
 * dispatcher retries it); a timed-out worker is terminated and replaced, since a stuck handler
 * cannot be interrupted any other way.
 */
import type { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { CloudEvent } from '../cloudevents/cloud-event.ts';
import { eventToJson } from '../cloudevents/json-format.ts';
import { SwitchyardError } from '../errors.ts';
import { type ConfigProblem, ConfigProblemsError } from '../manifests/config-problem.ts';
import { problemAt } from '../manifests/manifest-source.ts';
import type { FunctionConfig } from '../manifests/runtime-config.ts';
import { siblingModule, startModuleWorker } from '../runtime/module-worker.ts';
import type { FromWorker } from './function-protocol.ts';
import { replyFromReturnValue } from './reply-event.ts';

export type InvokeOutcome = { readonly ok: true; readonly reply: CloudEvent | undefined } | { readonly ok: false; readonly error: string };

interface Slot {
  worker: Worker;
  busy: boolean;
}

interface Pending {
  readonly event: CloudEvent;
  readonly resolve: (outcome: InvokeOutcome) => void;
}

const workerEntry = siblingModule('function-worker', import.meta.url);

/**
 * What a Function's worker sees of the environment: its `spec.env` and these, never the rest of
 * the platform's (where a WebhookSource's secret or the Redis password may be).
 */
export const FUNCTION_ENVIRONMENT = ['PATH', 'HOME', 'TMPDIR', 'TZ', 'LANG', 'LC_ALL', 'NODE_ENV', 'SWITCHYARD_FUNCTION_LOG_LEVEL'] as const;

export function functionEnvironment(platform: NodeJS.ProcessEnv, own: Readonly<Record<string, string>>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of FUNCTION_ENVIRONMENT) {
    const value = platform[name];
    if (value !== undefined) env[name] = value;
  }
  return { ...env, ...own };
}

class FunctionPool {
  readonly #slots: Slot[] = [];
  readonly #queue: Pending[] = [];
  #nextId = 1;
  #closed = false;

  constructor(
    readonly config: FunctionConfig,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    for (let i = 0; i < this.config.concurrency; i++) this.#slots.push({ worker: await this.#spawn(), busy: false });
  }

  #spawn(): Promise<Worker> {
    const worker = startModuleWorker(workerEntry, {
      workerData: { handlerPath: this.config.handlerPath, functionKey: this.config.key },
      env: functionEnvironment(process.env, this.config.env),
    });
    return new Promise((resolve, reject) => {
      const onMessage = (message: FromWorker) => {
        if (message.kind === 'ready') {
          worker.off('message', onMessage);
          worker.off('error', onError);
          resolve(worker);
        } else if (message.kind === 'load-failed') {
          void worker.terminate();
          reject(new SwitchyardError('SWY_FUNCTION_LOAD_FAILED', `the handler ${this.config.handlerPath} cannot be loaded: ${message.message}`));
        }
      };
      const onError = (error: Error) =>
        reject(new SwitchyardError('SWY_FUNCTION_LOAD_FAILED', `the handler ${this.config.handlerPath} cannot be loaded: ${error.message}`));
      worker.on('message', onMessage);
      worker.on('error', onError);
    });
  }

  invoke(event: CloudEvent): Promise<InvokeOutcome> {
    if (this.#closed) return Promise.resolve({ ok: false, error: `Function ${this.config.key} is stopping` });
    return new Promise((resolve) => {
      this.#queue.push({ event, resolve });
      this.#pump();
    });
  }

  #pump(): void {
    for (const slot of this.#slots) {
      if (this.#queue.length === 0) return;
      if (slot.busy) continue;
      const pending = this.#queue.shift() as Pending;
      slot.busy = true;
      void this.#run(slot, pending).finally(() => {
        slot.busy = false;
        this.#pump();
      });
    }
  }

  async #run(slot: Slot, pending: Pending): Promise<void> {
    const id = this.#nextId++;
    const worker = slot.worker;
    const outcome = await new Promise<InvokeOutcome | 'timeout' | 'crashed'>((resolve) => {
      const timer = setTimeout(() => finish('timeout'), this.config.timeoutMs);
      const onMessage = (message: FromWorker) => {
        if (message.kind !== 'result' || message.id !== id) return;
        if (!message.ok) return finish({ ok: false, error: `the function threw ${message.error}` });
        const reply = replyFromReturnValue(message.value, `/switchyard/functions/${this.config.key}`);
        finish('problem' in reply ? { ok: false, error: reply.problem } : { ok: true, reply: reply.reply });
      };
      const onExit = () => finish('crashed');
      function finish(result: InvokeOutcome | 'timeout' | 'crashed') {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('exit', onExit);
        resolve(result);
      }
      worker.on('message', onMessage);
      worker.on('exit', onExit);
      worker.postMessage({ kind: 'invoke', id, event: eventToJson(pending.event) });
    });
    if (outcome === 'timeout' || outcome === 'crashed') {
      pending.resolve({ ok: false, error: outcome === 'timeout' ? `the function did not return within its ${this.config.timeoutMs} ms timeout` : 'the function worker crashed' });
      this.logger.warn({ function: this.config.key, outcome }, 'replacing the function worker');
      await worker.terminate();
      if (!this.#closed) {
        try {
          slot.worker = await this.#spawn();
        } catch (error) {
          this.logger.error({ err: error, function: this.config.key }, 'the function worker could not be replaced; trying again on the next invocation');
        }
      }
      return;
    }
    pending.resolve(outcome);
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const pending of this.#queue.splice(0)) pending.resolve({ ok: false, error: `Function ${this.config.key} is stopping` });
    await Promise.all(this.#slots.map((slot) => slot.worker.terminate()));
  }
}

export class FunctionHost {
  readonly #pools = new Map<string, FunctionPool>();

  constructor(
    functions: ReadonlyMap<string, FunctionConfig>,
    logger: Logger,
  ) {
    for (const [key, config] of functions) this.#pools.set(key, new FunctionPool(config, logger));
  }

  /** Loads every handler; one that cannot be loaded fails the start, naming its file. */
  async start(): Promise<void> {
    const failures: ConfigProblem[] = [];
    await Promise.all(
      [...this.#pools.values()].map((pool) =>
        pool.start().catch((error: unknown) => {
          failures.push(problemAt(pool.config.source, ['spec', 'handler'], (error as Error).message));
        }),
      ),
    );
    if (failures.length > 0) {
      await this.close();
      throw new ConfigProblemsError(failures);
    }
  }

  has(key: string): boolean {
    return this.#pools.has(key);
  }

  invoke(key: string, event: CloudEvent): Promise<InvokeOutcome> {
    const pool = this.#pools.get(key);
    if (pool === undefined) return Promise.resolve({ ok: false, error: `no Function ${key} is configured` });
    return pool.invoke(event);
  }

  async close(): Promise<void> {
    await Promise.all([...this.#pools.values()].map((pool) => pool.close()));
  }
}
