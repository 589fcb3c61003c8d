/**
 * The end-to-end benchmark's HTTP sink, a process of its own: answers 200 to every POST, counts
 * them, and records latency from the send time the publisher put in the body (`{"sentAt": ms}`,
 * wall-clock milliseconds with sub-millisecond precision). GET /stats reports and resets.
 * A POST to a path under /echo is a flow's step instead: answered with the same binary-mode event
 * (a reply), and not counted. A POST to /fail is answered 503 and counted apart (`failed`).
 */
import { createServer } from 'node:http';

let count = 0;
let failed = 0;
let latencies: number[] = [];
const now = () => performance.timeOrigin + performance.now();

const server = createServer((req, res) => {
  if (req.method === 'GET') {
    const sorted = [...latencies].sort((a, b) => a - b);
    const pick = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ count, failed, p50: pick(0.5), p99: pick(0.99), samples: sorted.length }));
    if (req.url === '/stats?reset=1') {
      count = 0;
      failed = 0;
      latencies = [];
    }
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    if (req.url?.startsWith('/echo')) {
      const reply: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) if (name.startsWith('ce-') || name === 'content-type') reply[name] = String(value);
      res.writeHead(200, reply).end(Buffer.concat(chunks));
      return;
    }
    if (req.url === '/fail') {
      failed++;
      res.writeHead(503).end();
      return;
    }
    count++;
    const text = Buffer.concat(chunks).toString();
    const at = text.indexOf('"sentAt":');
    if (at !== -1) latencies.push(now() - Number.parseFloat(text.slice(at + 9)));
    res.writeHead(200).end();
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`sink ready on http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}\n`);
});
