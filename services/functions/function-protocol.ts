/** Messages between the function host (main thread) and a function's worker thread. */
import type { JsonEvent } from '../cloudevents/json-format.ts';

export interface FunctionWorkerInit {
  readonly handlerPath: string;
  readonly functionKey: string;
}

export type ToWorker = { readonly kind: 'invoke'; readonly id: number; readonly event: JsonEvent };

export type FromWorker =
  | { readonly kind: 'ready' }
  | { readonly kind: 'load-failed'; readonly message: string }
  | { readonly kind: 'result'; readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly kind: 'result'; readonly id: number; readonly ok: false; readonly error: string };
