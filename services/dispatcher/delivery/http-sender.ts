/**
 * Sends one CloudEvent to one HTTP destination and says what came back. Connections are pooled
 * and kept alive (one undici Agent for the platform). Binary content mode unless the delivery
 * format is `json`; `Prefer: reply` always (knative/specs data-plane.md).
 *
 * Outcomes:
 *   2xx 200/201 with a CloudEvent ─▶ delivered, with a reply
 *   2xx otherwise (202, empty, non-CloudEvent body) ─▶ delivered, no reply (a 202 is never a reply)
 *   anything else, a network error or the timeout ─▶ failed, with status, body excerpt, Retry-After
 */
import { Agent } from 'undici';
import type { CloudEvent } from '../../cloudevents/cloud-event.ts';
import { eventsFromHttp, toBinaryHttp, toStructuredHttp } from '../../cloudevents/http-binding.ts';
import { isSuccess } from './backoff.ts';
import { type CollectedResponse, parseRawHeaders, rawHeader, ResponseCollector } from './response-collector.ts';

/** Knative's dead-letter extension keeps 1024 bytes of the failing response (reference §3.4). */
export const ERROR_BODY_BYTES = 1024;

export type SendOutcome =
  | { readonly kind: 'delivered'; readonly status: number; readonly reply: CloudEvent | undefined; readonly replyProblem?: string | undefined }
  | {
      readonly kind: 'failed';
      /** Undefined for a network error or a timeout. */
      readonly status: number | undefined;
      /** The first 1024 bytes of the response body. */
      readonly body: Uint8Array;
      readonly retryAfter: string | undefined;
      readonly error: string;
    };

export interface SendOptions {
  readonly format: 'binary' | 'json';
  readonly timeoutMs: number;
  /** Extra headers, like Kn-Namespace. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** Where a URL is sent: parsed once (a trigger sends every event to the same one). */
interface Target {
  readonly origin: string;
  readonly path: string;
}

/** Parsed URLs kept; past this (redrives to many one-off URLs) the cache starts again. */
const MAX_TARGETS = 1024;

/** A possible reply (200, 201) is read whole, an error's first bytes kept, any other body dropped unread. */
function bodyLimit(status: number): number {
  if (status === 200 || status === 201) return Number.POSITIVE_INFINITY;
  return isSuccess(status) ? 0 : ERROR_BODY_BYTES;
}

export class HttpSender {
  readonly #agent: Agent;
  readonly #targets = new Map<string, Target>();

  constructor(options: { connectionsPerOrigin?: number } = {}) {
    this.#agent = new Agent({ connections: options.connectionsPerOrigin ?? 128, keepAliveTimeout: 30_000, pipelining: 1 });
  }

  async send(url: string, event: CloudEvent, options: SendOptions): Promise<SendOutcome> {
    const message = options.format === 'json' ? toStructuredHttp(event) : toBinaryHttp(event);
    // toBinaryHttp and toStructuredHttp make a fresh headers object for each call: extended in place.
    const headers = message.headers;
    headers['prefer'] = 'reply';
    if (options.headers !== undefined) Object.assign(headers, options.headers);
    const response = await new Promise<CollectedResponse>((resolve) => {
      try {
        const { origin, path } = this.#target(url);
        // undici's own timers, not an AbortSignal.timeout per request: that cost a timer and a
        // signal per delivery and showed in profiles (80 ms self time per 20k deliveries).
        this.#agent.dispatch(
          { origin, path, method: 'POST', headers, body: message.body ?? null, headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs },
          new ResponseCollector(bodyLimit, resolve),
        );
      } catch (error) {
        resolve({ kind: 'error', error: error as Error });
      }
    });
    if (response.kind === 'error') {
      return { kind: 'failed', status: undefined, body: new Uint8Array(), retryAfter: undefined, error: describeError(response.error, options.timeoutMs) };
    }
    const { status, body, rawHeaders } = response;
    if (!isSuccess(status)) return { kind: 'failed', status, body, retryAfter: rawHeader(rawHeaders, 'retry-after'), error: `the destination answered ${status}` };
    if (status !== 200 && status !== 201) return { kind: 'delivered', status, reply: undefined };
    return readReply(status, rawHeaders, body);
  }

  #target(url: string): Target {
    let target = this.#targets.get(url);
    if (target === undefined) {
      const parsed = new URL(url);
      target = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
      if (this.#targets.size >= MAX_TARGETS) this.#targets.clear();
      this.#targets.set(url, target);
    }
    return target;
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }
}

/** A 200 or 201 is a reply when it carries a CloudEvent (binary `ce-specversion`, or structured). */
function readReply(status: number, rawHeaders: readonly Buffer[], body: Buffer): SendOutcome {
  const contentType = rawHeader(rawHeaders, 'content-type');
  const isStructured = contentType !== undefined && contentType.toLowerCase().startsWith('application/cloudevents');
  if (!isStructured && rawHeader(rawHeaders, 'ce-specversion') === undefined) return { kind: 'delivered', status, reply: undefined };
  try {
    const { events } = eventsFromHttp(parseRawHeaders(rawHeaders), body);
    return events.length === 1 ? { kind: 'delivered', status, reply: events[0] } : { kind: 'delivered', status, reply: undefined, replyProblem: 'a batch is not a reply' };
  } catch (error) {
    return { kind: 'delivered', status, reply: undefined, replyProblem: `the reply is not a valid CloudEvent: ${(error as Error).message}` };
  }
}

function describeError(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; code?: string; message?: string; cause?: { code?: string } };
  if (e.name === 'TimeoutError' || e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT') {
    return `no answer within the ${timeoutMs} ms timeout`;
  }
  if (e.code === 'ERR_INVALID_URL') return `the destination URL is not valid: ${e.message ?? String(error)}`;
  return `network error: ${e.cause?.code ?? e.code ?? e.message ?? String(error)}`;
}
