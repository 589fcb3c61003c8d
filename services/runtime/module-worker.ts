/**
 * Starts a worker thread on one of the platform's modules. From compiled JavaScript (dist/) it is a
 * plain worker; from TypeScript sources (tests, development) the worker registers tsx itself
 * first, because Node's module hooks are per thread.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** The URL of a sibling module, with the extension the caller itself was loaded with. */
export function siblingModule(name: string, callerUrl: string): URL {
  const extension = callerUrl.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./${name}${extension}`, callerUrl);
}

export function startModuleWorker(entry: URL, options: WorkerOptions = {}): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, options);
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(bootstrap, { ...options, eval: true });
}
