/**
 * An undici dispatch handler that collects one response: its status, its headers and as much of
 * its body as the caller needs. undici's `request()` costs ~50 µs of CPU per call against ~24 µs
 * for `dispatch` with this handler (100 concurrent POSTs to a local server, 30,000 each): it
 * parses the URL, makes an AsyncResource and a Readable stream per response, and `arrayBuffer()`
 * consumes that stream; the deliveries of a trigger need none of it.
 */
import type { Dispatcher } from 'undici';

/** Response headers, names lower-cased; a repeated header is a list. */
export type ResponseHeaders = Readonly<Record<string, string | string[] | undefined>>;

export type CollectedResponse =
  | { readonly kind: 'response'; readonly status: number; readonly headers: ResponseHeaders; readonly body: Buffer }
  | { readonly kind: 'error'; readonly error: Error };

/** How much of a body is kept, by status: a possible reply whole, an error's start, else nothing. */
export type BodyLimit = (status: number) => number;

/**
 * undici 7's Agent takes the handler interface its core calls (onConnect, onHeaders with raw
 * headers, onData, onComplete, onError); one with the newer onResponse* methods is refused
 * ("invalid onConnect method") unless it goes through an interceptor.
 */
export class ResponseCollector implements Dispatcher.DispatchHandler {
  #status = 0;
  #rawHeaders: Buffer[] = [];
  #chunks: Buffer[] = [];
  #kept = 0;
  #limit = 0;

  constructor(
    private readonly bodyLimit: BodyLimit,
    private readonly done: (response: CollectedResponse) => void,
  ) {}

  onConnect(): void {}

  onHeaders(status: number, rawHeaders: Buffer[]): boolean {
    // 1xx (100 Continue, 103 Early Hints) come before the final status.
    if (status < 200) return true;
    this.#status = status;
    this.#rawHeaders = rawHeaders;
    this.#limit = this.bodyLimit(status);
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.#kept < this.#limit) {
      const part = chunk.byteLength <= this.#limit - this.#kept ? chunk : chunk.subarray(0, this.#limit - this.#kept);
      this.#chunks.push(part);
      this.#kept += part.byteLength;
    }
    return true;
  }

  onComplete(): void {
    const body = this.#chunks.length === 1 ? (this.#chunks[0] as Buffer) : Buffer.concat(this.#chunks);
    this.done({ kind: 'response', status: this.#status, headers: parseRawHeaders(this.#rawHeaders), body });
  }

  onError(error: Error): void {
    this.done({ kind: 'error', error });
  }
}

/** Header names lower-cased, values as latin1 (undici's parseHeaders); a repeated header becomes a list. */
export function parseRawHeaders(raw: readonly Buffer[]): Record<string, string | string[]> {
  const headers = Object.create(null) as Record<string, string | string[]>;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = (raw[i] as Buffer).toString('latin1').toLowerCase();
    const value = (raw[i + 1] as Buffer).toString('latin1');
    const seen = headers[name];
    if (seen === undefined) headers[name] = value;
    else if (typeof seen === 'string') headers[name] = [seen, value];
    else seen.push(value);
  }
  return headers;
}
