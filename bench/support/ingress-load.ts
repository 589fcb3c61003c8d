/** The ingress load both ingress benchmarks send: single binary-mode events, or batches of 100, from 50 connections. */
import autocannon from 'autocannon';

export const CONNECTIONS = 50;

export const singleHeaders = {
  'ce-specversion': '1.0',
  'ce-id': 'bench-1',
  'ce-source': '/bench',
  'ce-type': 'com.example.bench',
  'content-type': 'application/json',
};
const body = JSON.stringify({ order: 42, customer: 'c-1', total: 99.5 });
const batchBody = JSON.stringify(
  Array.from({ length: 100 }, (_, i) => ({
    specversion: '1.0',
    id: `bench-${i}`,
    source: '/bench',
    type: 'com.example.bench',
    datacontenttype: 'application/json',
    data: { order: i, customer: 'c-1', total: 99.5 },
  })),
);

/** Requests answered 202 per second (a batch counts once), worst-case p99 latency and failures. */
export async function ingressLoad(url: string, options: { batch?: boolean; seconds: number }) {
  const result = await autocannon({
    url,
    method: 'POST',
    headers: options.batch ? { 'content-type': 'application/cloudevents-batch+json' } : singleHeaders,
    body: options.batch ? batchBody : body,
    connections: CONNECTIONS,
    duration: options.seconds,
  });
  const accepted = result.statusCodeStats['202']?.count ?? 0;
  return { requestsPerSecond: accepted / options.seconds, p99: result.latency.p99, failures: result.non2xx + result.errors + result.timeouts };
}
