/**
 * Runs in a worker thread: loads one Function's handler module and calls its default export for
 * each event it is sent, one at a time. What the handler returns is made plain data here (class
 * instances, Buffers) so that it can cross back to the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import pino from 'pino';
import type { FromWorker, FunctionWorkerInit, ToWorker } from './function-protocol.ts';

const init = workerData as FunctionWorkerInit;
const port = parentPort;
if (port === null) throw new Error('function-worker must run in a worker thread');

const send = (message: FromWorker) => port.postMessage(message);
const logger = pino({ level: process.env['SWITCHYARD_FUNCTION_LOG_LEVEL'] ?? 'info' }, pino.destination(2)).child({ function: init.functionKey });

type Handler = (event: Record<string, unknown>, context: { logger: typeof logger; function: string }) => unknown;

function plain(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  const data = object['data'];
  if (data instanceof Uint8Array) {
    const { data: _bytes, ...rest } = object;
    return { ...JSON.parse(JSON.stringify(rest)), data_base64: Buffer.from(data).toString('base64') };
  }
  return JSON.parse(JSON.stringify(value));
}

/**
 * tsx's tsImport, not a global register(): it loads TypeScript and JavaScript handlers alike, ES
 * modules or not, whether or not a package.json says "type": "module" (a registered tsx made
 * Node 20 fail on ESM .js and .ts files outside such a package: "Cannot require() ES Module … in a
 * cycle"). A handler compiled as CommonJS arrives wrapped once more; unwrap it.
 */
async function load(): Promise<Handler> {
  const { tsImport } = await import('tsx/esm/api');
  const module = (await tsImport(pathToFileURL(init.handlerPath).href, import.meta.url)) as { default?: unknown };
  let handler = module.default;
  if (handler !== null && typeof handler === 'object' && typeof (handler as { default?: unknown }).default === 'function') {
    handler = (handler as { default: unknown }).default;
  }
  if (typeof handler !== 'function') {
    throw new Error(`${init.handlerPath} has no default export function (expected export default async function (event, context) { … })`);
  }
  return handler as Handler;
}

try {
  const handler = await load();
  port.on('message', async (message: ToWorker) => {
    try {
      const value = await handler(message.event, { logger, function: init.functionKey });
      send({ kind: 'result', id: message.id, ok: true, value: plain(value) });
    } catch (error) {
      send({ kind: 'result', id: message.id, ok: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    }
  });
  send({ kind: 'ready' });
} catch (error) {
  send({ kind: 'load-failed', message: error instanceof Error ? error.message : String(error) });
}
