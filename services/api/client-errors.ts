/**
 * Requests Node's HTTP parser refuses before any route sees them (headers over the limit, bytes
 * that are not HTTP, a client too slow to send its request) are answered here, in the platform's
 * error shape, on the raw socket: fastify's default answer is a JSON body of its own.
 */
import { maxHeaderSize, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { formatSize } from '../../schemas/size.ts';
import { SwitchyardError } from '../errors.ts';

function failureFor(error: NodeJS.ErrnoException): { status: number; failure: SwitchyardError } {
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    const limit = formatSize(maxHeaderSize);
    return { status: 431, failure: new SwitchyardError('SWY_HEADERS_TOO_LARGE', `the request headers are larger than the limit of ${limit} (node --max-http-header-size raises it)`, { limitBytes: maxHeaderSize }) };
  }
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return { status: 408, failure: new SwitchyardError('SWY_BAD_REQUEST', 'the request did not arrive in time') };
  }
  return { status: 400, failure: new SwitchyardError('SWY_BAD_REQUEST', `the request is not valid HTTP/1.1 (${error.code ?? error.message})`) };
}

export function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const { status, failure } = failureFor(error);
  const body = JSON.stringify(failure.toBody());
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy();
}
