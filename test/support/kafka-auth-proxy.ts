/**
 * A Kafka listener that needs TLS (with client certificates) and SASL, in front of the mock
 * cluster, which has neither: it terminates TLS, answers SaslHandshake and SaslAuthenticate
 * itself for PLAIN and SCRAM-SHA-256/512 (RFC 5802, 7677; the exchange Kafka's brokers run,
 * KIP-84 and KIP-152), refuses every other request before authentication, and afterwards relays
 * the connection to the mock's broker in plaintext. ApiVersions answers gain the two SASL APIs,
 * and Metadata and FindCoordinator answers point clients back at this listener.
 *
 * No Kafka broker with SASL installs here (test-infrastructure.md §1); this lets a test prove that
 * a KafkaSource configured from secrets really authenticates, with the client (kafkajs) unchanged.
 * One broker only.
 */
import { createHmac, createHash, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';

export interface KafkaAuthProxyOptions {
  readonly target: { host: string; port: number };
  readonly tls: { key: string; cert: string; ca: string };
  readonly users: Readonly<Record<string, string>>;
  readonly mechanisms: readonly ('PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512')[];
}

export interface KafkaAuthProxy {
  readonly bootstrap: string;
  /** Successful and refused authentications, by user. */
  readonly authenticated: string[];
  readonly refused: string[];
  close(): Promise<void>;
}

const API_VERSIONS = 18;
const SASL_HANDSHAKE = 17;
const SASL_AUTHENTICATE = 36;
const METADATA = 3;
const FIND_COORDINATOR = 10;
const ILLEGAL_SASL_STATE = 34;
const UNSUPPORTED_SASL_MECHANISM = 33;
const SASL_AUTHENTICATION_FAILED = 58;

function frame(correlationId: number, body: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeInt32BE(4 + body.length, 0);
  header.writeInt32BE(correlationId, 4);
  return Buffer.concat([header, body]);
}

const int16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
};
const int32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const kafkaString = (s: string | null) => (s === null ? int16(-1) : Buffer.concat([int16(Buffer.byteLength(s)), Buffer.from(s)]));
const kafkaBytes = (b: Buffer) => Buffer.concat([int32(b.length), b]);

/** Splits a stream into size-prefixed Kafka frames (requests or responses), the size removed. */
class Frames {
  #pending = Buffer.alloc(0);
  push(chunk: Buffer): Buffer[] {
    this.#pending = Buffer.concat([this.#pending, chunk]);
    const frames: Buffer[] = [];
    while (this.#pending.length >= 4) {
      const size = this.#pending.readInt32BE(0);
      if (this.#pending.length < 4 + size) break;
      frames.push(this.#pending.subarray(4, 4 + size));
      this.#pending = this.#pending.subarray(4 + size);
    }
    return frames;
  }
}

/** The server side of one SCRAM exchange. */
class ScramServer {
  #clientFirstBare = '';
  #serverFirst = '';
  #nonce = '';
  #user = '';
  constructor(
    private readonly hash: 'sha256' | 'sha512',
    private readonly users: Readonly<Record<string, string>>,
  ) {}
  get user(): string {
    return this.#user;
  }
  first(message: string): string | undefined {
    const match = /^n,[^,]*,(n=([^,]*),r=([^,]*).*)$/.exec(message);
    if (!match) return undefined;
    this.#clientFirstBare = match[1] as string;
    this.#user = (match[2] as string).replace(/=2C/g, ',').replace(/=3D/g, '=');
    this.#nonce = `${match[3]}${randomBytes(18).toString('base64')}`;
    const salt = createHash('sha256').update(`salt:${this.#user}`).digest();
    this.#serverFirst = `r=${this.#nonce},s=${salt.toString('base64')},i=4096`;
    return this.#serverFirst;
  }
  final(message: string): string | undefined {
    const at = message.lastIndexOf(',p=');
    const withoutProof = message.slice(0, at);
    const proof = Buffer.from(message.slice(at + 3), 'base64');
    if (!withoutProof.includes(`r=${this.#nonce}`)) return undefined;
    const password = this.users[this.#user];
    if (password === undefined) return undefined;
    const size = this.hash === 'sha256' ? 32 : 64;
    const salt = createHash('sha256').update(`salt:${this.#user}`).digest();
    const salted = pbkdf2Sync(password, salt, 4096, size, this.hash);
    const clientKey = createHmac(this.hash, salted).update('Client Key').digest();
    const storedKey = createHash(this.hash).update(clientKey).digest();
    const authMessage = `${this.#clientFirstBare},${this.#serverFirst},${withoutProof}`;
    const signature = createHmac(this.hash, storedKey).update(authMessage).digest();
    if (proof.length !== size) return undefined;
    const recovered = Buffer.from(proof.map((byte, i) => byte ^ (signature[i] as number)));
    if (!timingSafeEqual(createHash(this.hash).update(recovered).digest(), storedKey)) return undefined;
    const serverKey = createHmac(this.hash, salted).update('Server Key').digest();
    return `v=${createHmac(this.hash, serverKey).update(authMessage).digest('base64')}`;
  }
}

export async function startKafkaAuthProxy(options: KafkaAuthProxyOptions): Promise<KafkaAuthProxy> {
  const authenticated: string[] = [];
  const refused: string[] = [];
  let port = 0;
  const sockets = new Set<Socket>();

  /** Rewrites what points at the mock so that clients come back here. */
  function rewrite(apiKey: number, version: number, body: Buffer): Buffer {
    if (apiKey === API_VERSIONS && version <= 2 && body.readInt16BE(0) === 0) {
      const count = body.readInt32BE(2);
      const entries = body.subarray(6, 6 + count * 6);
      const rest = body.subarray(6 + count * 6);
      const sasl = Buffer.concat([int16(SASL_HANDSHAKE), int16(0), int16(1), int16(SASL_AUTHENTICATE), int16(0), int16(1)]);
      return Buffer.concat([int16(0), int32(count + 2), entries, sasl, rest]);
    }
    if (apiKey === METADATA && version <= 8) {
      const copy = Buffer.from(body);
      let at = version >= 3 ? 4 : 0;
      const brokers = copy.readInt32BE(at);
      at += 4;
      for (let i = 0; i < brokers; i++) {
        at += 4;
        at += 2 + copy.readInt16BE(at);
        copy.writeInt32BE(port, at);
        at += 4;
        if (version >= 1) {
          const rack = copy.readInt16BE(at);
          at += 2 + Math.max(0, rack);
        }
      }
      return copy;
    }
    if (apiKey === FIND_COORDINATOR && version <= 2) {
      const copy = Buffer.from(body);
      let at = version >= 1 ? 4 : 0;
      at += 2;
      if (version >= 1) at += 2 + Math.max(0, copy.readInt16BE(at));
      at += 4;
      at += 2 + copy.readInt16BE(at);
      copy.writeInt32BE(port, at);
      return copy;
    }
    return body;
  }

  const server = createTlsServer({ key: options.tls.key, cert: options.tls.cert, ca: options.tls.ca, requestCert: true, rejectUnauthorized: true }, (client: TLSSocket) => {
    sockets.add(client);
    let upstream: Socket | undefined;
    let mechanism: string | undefined;
    let scram: ScramServer | undefined;
    let authed = false;
    const inFlight = new Map<number, { apiKey: number; version: number }>();
    const requests = new Frames();
    const responses = new Frames();
    const toMock = (request: Buffer) => {
      if (upstream === undefined) {
        upstream = connect(options.target.port, options.target.host);
        sockets.add(upstream);
        upstream.on('data', (chunk: Buffer) => {
          for (const response of responses.push(chunk)) {
            const correlationId = response.readInt32BE(0);
            const request = inFlight.get(correlationId);
            inFlight.delete(correlationId);
            const body = request === undefined ? response.subarray(4) : rewrite(request.apiKey, request.version, response.subarray(4));
            client.write(frame(correlationId, body));
          }
        });
        upstream.on('error', () => client.destroy());
        upstream.on('close', () => client.destroy());
      }
      upstream.write(Buffer.concat([int32(request.length), request]));
    };
    client.on('data', (chunk: Buffer) => {
      for (const request of requests.push(chunk)) {
        const apiKey = request.readInt16BE(0);
        const version = request.readInt16BE(2);
        const correlationId = request.readInt32BE(4);
        const clientIdLength = request.readInt16BE(8);
        const body = request.subarray(10 + Math.max(0, clientIdLength));
        if (apiKey === SASL_HANDSHAKE) {
          const requested = body.subarray(2, 2 + body.readInt16BE(0)).toString();
          const ok = (options.mechanisms as readonly string[]).includes(requested);
          mechanism = ok ? requested : undefined;
          if (requested.startsWith('SCRAM-')) scram = new ScramServer(requested === 'SCRAM-SHA-512' ? 'sha512' : 'sha256', options.users);
          const list = Buffer.concat([int32(options.mechanisms.length), ...options.mechanisms.map((m) => kafkaString(m))]);
          client.write(frame(correlationId, Buffer.concat([int16(ok ? 0 : UNSUPPORTED_SASL_MECHANISM), list])));
          continue;
        }
        if (apiKey === SASL_AUTHENTICATE) {
          const bytes = body.subarray(4, 4 + body.readInt32BE(0));
          const answer = (error: number, message: string | null, reply: Buffer) =>
            client.write(frame(correlationId, Buffer.concat([int16(error), kafkaString(message), kafkaBytes(reply), ...(version >= 1 ? [Buffer.alloc(8)] : [])])));
          if (mechanism === 'PLAIN') {
            const [, user = '', password = ''] = bytes.toString().split('\0');
            if (options.users[user] === password) {
              authed = true;
              authenticated.push(user);
              answer(0, null, Buffer.alloc(0));
            } else {
              refused.push(user);
              answer(SASL_AUTHENTICATION_FAILED, `Authentication failed: invalid credentials for ${user}`, Buffer.alloc(0));
            }
          } else if (scram !== undefined) {
            const text = bytes.toString();
            const reply = text.startsWith('n,') ? scram.first(text) : scram.final(text);
            if (reply === undefined) {
              refused.push(scram.user);
              answer(SASL_AUTHENTICATION_FAILED, `Authentication failed during authentication due to invalid credentials with SASL mechanism ${mechanism}`, Buffer.alloc(0));
            } else {
              if (reply.startsWith('v=')) {
                authed = true;
                authenticated.push(scram.user);
              }
              answer(0, null, Buffer.from(reply));
            }
          } else answer(ILLEGAL_SASL_STATE, 'SaslAuthenticate before SaslHandshake', Buffer.alloc(0));
          continue;
        }
        if (!authed && apiKey !== API_VERSIONS) {
          // Kafka closes the connection of a client that skips authentication.
          client.destroy();
          return;
        }
        inFlight.set(correlationId, { apiKey, version });
        toMock(request);
      }
    });
    client.on('error', () => upstream?.destroy());
    client.on('close', () => {
      sockets.delete(client);
      upstream?.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  return {
    bootstrap: `127.0.0.1:${port}`,
    authenticated,
    refused,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
