/**
 * An HTTP sink that checks delivery order per key: it records each request's key and sequence
 * number, how many requests of one key were open at once, and answers with a scripted status
 * after a delay (so that concurrent deliveries really overlap).
 */
import { type HttpSink, type ReceivedRequest, startHttpSink } from './http-sink.ts';

export interface OrderSinkOptions {
  readonly keyOf: (request: ReceivedRequest) => string;
  readonly seqOf: (request: ReceivedRequest) => number;
  /** The status for this attempt (`attempt` counts from 1 per key and sequence number); 200 when omitted. */
  readonly status?: (key: string, seq: number, attempt: number) => number;
  /** How long each answer takes. */
  readonly delayMs?: number;
}

export interface OrderSink {
  readonly sink: HttpSink;
  readonly url: string;
  /** Per key, the sequence numbers in the order of their first 2xx answer. */
  firstSuccesses(): Map<string, number[]>;
  /** Sequence numbers answered 2xx at least once. */
  delivered(): number;
  /** The most requests of one key open at the same time. */
  readonly maxOpenPerKey: () => number;
  /** The most requests open at the same time, all keys together. */
  readonly maxOpen: () => number;
  /** Requests answered with a failure status. */
  readonly failures: () => number;
}

export async function startOrderSink(options: OrderSinkOptions): Promise<OrderSink> {
  const open = new Map<string, number>();
  let openAll = 0;
  let maxOpenPerKey = 0;
  let maxOpen = 0;
  let failures = 0;
  const attempts = new Map<string, number>();
  const successes = new Map<string, number[]>();
  const succeeded = new Set<string>();
  const sink = await startHttpSink((request, response) => {
    const key = options.keyOf(request);
    const seq = options.seqOf(request);
    const id = `${key}#${seq}`;
    const attempt = (attempts.get(id) ?? 0) + 1;
    attempts.set(id, attempt);
    open.set(key, (open.get(key) ?? 0) + 1);
    openAll++;
    maxOpenPerKey = Math.max(maxOpenPerKey, open.get(key) ?? 0);
    maxOpen = Math.max(maxOpen, openAll);
    const status = options.status?.(key, seq, attempt) ?? 200;
    setTimeout(() => {
      open.set(key, (open.get(key) ?? 1) - 1);
      openAll--;
      if (status >= 200 && status < 300) {
        if (!succeeded.has(id)) {
          succeeded.add(id);
          const list = successes.get(key) ?? [];
          list.push(seq);
          successes.set(key, list);
        }
      } else failures++;
      response.writeHead(status).end();
    }, options.delayMs ?? 0);
  });
  return {
    sink,
    url: sink.url,
    firstSuccesses: () => successes,
    delivered: () => succeeded.size,
    maxOpenPerKey: () => maxOpenPerKey,
    maxOpen: () => maxOpen,
    failures: () => failures,
  };
}

/** The keys whose first successes are not in ascending order, with where the order broke. */
export function outOfOrder(successes: Map<string, number[]>): string[] {
  const broken: string[] = [];
  for (const [key, seqs] of successes) {
    const at = seqs.findIndex((seq, i) => i > 0 && seq < (seqs[i - 1] as number));
    if (at > 0) broken.push(`${key}: ${seqs[at - 1]} before ${seqs[at]}`);
  }
  return broken;
}
