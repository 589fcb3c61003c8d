/** A real HTTP server on a free port whose answers a test scripts, recording what it received. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
  readonly at: number;
}

export type Responder = (request: ReceivedRequest, response: ServerResponse) => unknown;

export interface HttpSink {
  readonly url: string;
  readonly received: ReceivedRequest[];
  respond(responder: Responder): void;
  close(): Promise<void>;
}

export async function startHttpSink(responder: Responder = (_r, res) => res.writeHead(200).end()): Promise<HttpSink> {
  let current = responder;
  const received: ReceivedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const entry = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks), at: Date.now() };
      received.push(entry);
      void Promise.resolve(current(entry, res)).catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    respond: (next) => {
      current = next;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
