/**
 * Slow bodies: a request that sends its headers and part of its body and then stalls, or never
 * finishes its headers, has its connection closed within the request timeout (with 408 in the
 * platform's error shape), connections past the bound are closed as they arrive, and normal
 * traffic keeps flowing all the while.
 */
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { deferredCleanups } from '../support/cleanups.ts';
import { startTestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait-for.ts';

const defer = deferredCleanups();

interface Stalled {
  readonly socket: Socket;
  closedAt: number | undefined;
  answer: string;
}

function stall(url: string, request: string): Promise<Stalled> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(request);
      resolve(stalled);
    });
    const stalled: Stalled = { socket, closedAt: undefined, answer: '' };
    socket.on('data', (chunk: Buffer) => (stalled.answer += chunk.toString()));
    socket.on('close', () => (stalled.closedAt = Date.now()));
    socket.on('error', () => undefined);
    socket.once('error', reject);
    defer(() => socket.destroy());
  });
}

const publish = (url: string, id: string) =>
  fetch(`${url}/default/default`, { method: 'POST', headers: { 'ce-specversion': '1.0', 'ce-id': id, 'ce-source': '/s', 'ce-type': 't' } }).then((r) => r.status);

describe('Slow bodies', () => {
  it('stalled bodies and headers are closed within the request timeout with 408, while normal requests are answered', async () => {
    const platform = await startTestPlatform(undefined, { requestTimeoutMs: 1500 });
    defer(() => platform.stop());
    const startedAt = Date.now();
    const stalled: Stalled[] = [];
    for (let i = 0; i < 100; i++) {
      stalled.push(await stall(platform.url, `POST /default/default HTTP/1.1\r\nHost: x\r\nce-specversion: 1.0\r\nce-id: s${i}\r\nce-source: /s\r\nce-type: t\r\ncontent-length: 1000\r\n\r\n0123456789`));
      stalled.push(await stall(platform.url, 'POST /default/default HTTP/1.1\r\nHost: x\r\nce-specver'));
    }
    for (let i = 0; i < 20; i++) expect(await publish(platform.url, `n${i}`)).toBe(202);
    await waitFor(() => stalled.every((s) => s.closedAt !== undefined), 'every stalled connection to be closed', 10_000, 50);
    const latest = Math.max(...stalled.map((s) => s.closedAt as number)) - startedAt;
    // The timeout, plus Node's check every second, plus slack for a busy machine.
    expect(latest).toBeLessThan(1500 + 1000 + 2000);
    expect(stalled[0]?.answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(stalled[0]?.answer).toContain('"code":"SWY_BAD_REQUEST"');
    expect(await platform.log.list('default/default')).toHaveLength(20);
    expect(await publish(platform.url, 'after')).toBe(202);
  });

  it('connections past the bound are closed as they arrive; once they go, new ones are served', async () => {
    const platform = await startTestPlatform(undefined, { maxConnections: 30 });
    defer(() => platform.stop());
    const idle: Stalled[] = [];
    for (let i = 0; i < 40; i++) idle.push(await stall(platform.url, ''));
    await waitFor(() => idle.filter((s) => s.closedAt !== undefined).length >= 10, 'the connections past the bound to be closed');
    expect(idle.filter((s) => s.closedAt !== undefined)).toHaveLength(10);
    for (const s of idle) s.socket.destroy();
    await waitFor(async () => (await publish(platform.url, 'again').catch(() => 0)) === 202, 'a new connection to be served', 5000, 50);
  });
});
