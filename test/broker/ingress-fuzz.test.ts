/**
 * A fuzz campaign in the suite: a few thousand requests from a seeded generator (binary,
 * structured and batch events with odd names, values, content types, nesting and sizes; odd
 * methods and paths) against `switchyard run`, while a probe asks /healthz every 20 ms. Asserts:
 * no 5xx; exactly the events answered 202 are stored (none that was refused); the process stays
 * alive and the probe never waits as long as STALL_BOUND_MS (a stalled event loop).
 */
import { request as httpRequest } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningCli, startCli } from '../support/cli.ts';
import { STALL_BOUND_MS } from '../support/event-loop-stall.ts';
import { ONE_BROKER } from '../support/platform.ts';
import { tempDir } from '../support/temp-dir.ts';

const SEED = Number(process.env['SWITCHYARD_FUZZ_SEED'] ?? 20261201);
const REQUESTS = Number(process.env['SWITCHYARD_FUZZ_REQUESTS'] ?? 3000);
const CONCURRENCY = 16;

/** mulberry32: small, seeded, good enough to pick cases. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Case {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: Buffer | undefined;
  /** The event ids this request would store if it were accepted. */
  readonly ids: readonly string[];
}

function generator(next: () => number) {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const int = (max: number) => Math.floor(next() * max);
  const chars = 'abcXYZ019 _-./:%"\\\'{}[]<>é€😀\t';
  const text = (max: number) => Array.from({ length: int(max) }, () => pick([...chars])).join('');
  const headerText = (max: number) => text(max).replace(/[^\t\x20-\x7e]/g, 'x');
  const names = ['subject', 'myext', 'MyExt', 'my-ext', '__proto__', 'constructor', 'a'.repeat(300), 'knativebrokerttl', 'time', 'dataschema', 'datacontenttype', ''];
  const values = (): unknown => pick([text(40), int(10) - 5, 2 ** 40, true, null, { a: 1 }, [1, 2], '2026-12-01T10:00:00Z', 'yesterday', '%E0%A4%A', '"quoted value"']);
  // What once stalled or broke the platform: a long run of spaces in a media type, data nested thousands deep.
  const mediaTypes = (): string => pick(['application/json', 'text/plain; charset=utf-8', `application/json${' '.repeat(int(60_000))}x`, 'not a media type']);
  const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
  // Data nested 5,000 deep, put into the JSON text afterwards: JSON.stringify itself cannot write it.
  const DEEP = '<deep>';
  const deepen = (json: string) => json.replaceAll(`"${DEEP}"`, nested(5000));
  const contentTypes = ['application/json', 'text/plain', 'application/octet-stream', 'application/cloudevents+json', 'application/cloudevents-batch+json', 'application/cloudevents+xml', `text/plain${' ;a=b'.repeat(int(200))}`, headerText(30), 'application/json; charset="utf-8"'];
  const data = (): Buffer => pick([Buffer.from(JSON.stringify({ n: int(100) })), Buffer.from(nested(pick([3, 64, 65, 5000, 20_000]))), Buffer.from(text(200)), Buffer.alloc(int(3000), 0xff), Buffer.from('{"unterminated'), Buffer.alloc(0)]);

  return (i: number): Case => {
    const id = `fuzz-${i}`;
    const mode = pick(['binary', 'binary', 'structured', 'structured', 'batch', 'odd']);
    const path = pick(['/default/default', '/default/default/', '/default/nope', '/api/v1', '/default', `/${headerText(20).replace(/[ %]/g, '')}`, '/default/default?x=1']);
    if (mode === 'odd') return { method: pick(['GET', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'POST']), path, headers: { 'content-type': pick(contentTypes) }, body: next() < 0.5 ? data() : undefined, ids: [] };
    if (mode === 'binary') {
      const headers: Record<string, string> = { 'ce-specversion': pick(['1.0', '1.0', '1.0', '0.3', '']), 'ce-id': id, 'ce-source': pick(['/fuzz', '/fuzz', 'not a uri', headerText(20)]), 'ce-type': pick(['t', 't', '']) };
      for (let n = int(4); n > 0; n--) {
        const name = pick(names).replace(/[^a-zA-Z0-9_-]/g, '');
        if (name !== '') headers[`ce-${name}`] = headerText(60);
      }
      if (next() < 0.8) headers['content-type'] = pick(contentTypes.filter((c) => !c.startsWith('application/cloudevents')));
      return { method: 'POST', path, headers, body: data(), ids: [id] };
    }
    const event = (eventId: string): Record<string, unknown> => {
      const e: Record<string, unknown> = { specversion: pick(['1.0', '1.0', '1.0', 2]), id: eventId, source: pick(['/fuzz', '/fuzz', '', 7]), type: 't' };
      for (let n = int(4); n > 0; n--) e[pick(names)] = values();
      if (next() < 0.2) e['datacontenttype'] = mediaTypes();
      if (next() < 0.5) e['data'] = pick([{ a: 1 }, 'text', 5, JSON.parse(nested(pick([2, 63, 64, 200]))), DEEP]);
      else if (next() < 0.2) e['data_base64'] = pick(['eA==', '!!', 'A'.repeat(int(100))]);
      return e;
    };
    if (mode === 'structured') {
      const raw = next() < 0.1 ? `{"__proto__": {"id": "${id}"}, "specversion": "1.0", "source": "/s", "type": "t"}` : deepen(JSON.stringify(event(id)));
      return { method: 'POST', path, headers: { 'content-type': 'application/cloudevents+json' }, body: Buffer.from(raw), ids: [id] };
    }
    const ids = Array.from({ length: 1 + int(5) }, (_, k) => `${id}-${k}`);
    return { method: 'POST', path, headers: { 'content-type': 'application/cloudevents-batch+json' }, body: Buffer.from(deepen(JSON.stringify(ids.map(event)))), ids };
  };
}

function send(url: string, c: Case): Promise<number> {
  return new Promise((resolve) => {
    try {
      const request = httpRequest(`${url}${c.path}`, { method: c.method, headers: c.headers }, (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      });
      request.on('error', () => resolve(-1));
      request.end(c.body);
    } catch {
      resolve(-2); // the client refused to send it (an invalid header for Node itself)
    }
  });
}

const dir = tempDir();
let platform: RunningCli;
beforeAll(async () => {
  const manifests = join(dir.path, 'broker.yaml');
  writeFileSync(manifests, ONE_BROKER);
  platform = await startCli(['-f', manifests, '--store', `sqlite:${join(dir.path, 'store.db')}`, '--body-limit', '64KiB']);
});
afterAll(async () => {
  await platform.stop();
  dir.remove();
});

describe('Ingress fuzz', () => {
  it(`${REQUESTS} seeded requests (seed ${SEED}): no 5xx, exactly the events answered 202 are stored, /healthz never stalls`, async () => {
    const make = generator(random(SEED));
    const cases = Array.from({ length: REQUESTS }, (_, i) => make(i));
    let probing = true;
    let worstProbe = 0;
    let probes = 0;
    const probe = (async () => {
      while (probing) {
        const started = performance.now();
        const status = await new Promise<number>((resolve) => httpRequest(`${platform.url}/healthz`, (r) => (r.resume(), r.on('end', () => resolve(r.statusCode ?? 0)))).on('error', () => resolve(-1)).end());
        expect(status).toBe(200);
        worstProbe = Math.max(worstProbe, performance.now() - started);
        probes++;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const statuses = new Map<number, number>();
    const accepted = new Set<string>();
    let nextCase = 0;
    const worker = async () => {
      while (nextCase < cases.length) {
        const c = cases[nextCase++] as Case;
        const status = await send(platform.url, c);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (status === 202) for (const id of c.ids) accepted.add(id);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    probing = false;
    await probe;
    const fiveHundreds = [...statuses].filter(([status]) => status >= 500).map(([status, n]) => `${status}×${n}`);
    expect(fiveHundreds, `statuses: ${JSON.stringify([...statuses])}`).toEqual([]);
    expect(statuses.get(-1) ?? 0, 'connections that failed').toBe(0);
    expect(accepted.size, 'some requests must have been accepted for the comparison to mean anything').toBeGreaterThan(50);
    const listed = (await (await fetch(`${platform.url}/api/v1/brokers/default/default/events?after=0&limit=100000`)).json()) as { events: Array<{ event: { id: string } }> };
    const stored = new Set(listed.events.map((e) => e.event.id));
    expect([...stored].filter((id) => !accepted.has(id)), 'stored though refused').toEqual([]);
    expect([...accepted].filter((id) => !stored.has(id)), 'accepted but not stored').toEqual([]);
    expect(probes).toBeGreaterThan(5);
    expect(worstProbe, `worst /healthz wait over ${probes} probes`).toBeLessThan(STALL_BOUND_MS);
    expect(platform.child.exitCode).toBeNull();
  }, 120_000);
});
