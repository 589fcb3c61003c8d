/**
 * `--log-level debug` logs each accepted event and each delivery attempt (ids, trigger, status,
 * duration), so that a user can follow one event: here through a sink that fails once, then
 * succeeds; and through `switchyard run --log-level debug` as a user runs it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { deferredCleanups } from '../support/cleanups.ts';
import { startCli } from '../support/cli.ts';
import { startHttpSink } from '../support/http-sink.ts';
import { brokerWithTrigger, startTestPlatform } from '../support/platform.ts';
import { tempDir } from '../support/temp-dir.ts';
import { waitFor } from '../support/wait-for.ts';

const defer = deferredCleanups();

interface Line {
  readonly level: number;
  readonly msg: string;
  readonly [field: string]: unknown;
}

const manifests = (sink: string) => brokerWithTrigger('orders', `${sink}/orders`, '{ retry: 2, backoffPolicy: linear, backoffDelay: PT0.05S }');

describe('--log-level debug', () => {
  it('logs the accepted event and each delivery attempt with the trigger, status, duration and what comes next', async () => {
    let calls = 0;
    const sink = await startHttpSink((_r, res) => res.writeHead(++calls === 1 ? 503 : 200).end());
    defer(() => sink.close());
    const lines: Line[] = [];
    const platform = await startTestPlatform(manifests(sink.url), { logger: pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line) as Line) }) });
    defer(() => platform.stop());
    const response = await fetch(`${platform.url}/default/default`, { method: 'POST', headers: { 'ce-specversion': '1.0', 'ce-id': 'follow-me', 'ce-source': '/shop', 'ce-type': 'order' } });
    expect(response.status).toBe(202);
    await waitFor(() => lines.filter((l) => l.msg === 'delivery attempt').length === 2, 'two delivery attempts in the log');
    const forEvent = lines.filter((l) => l.event === 'follow-me');
    expect(forEvent.find((l) => l.msg === 'event accepted')).toMatchObject({ level: 20, broker: 'default/default', offset: expect.any(String), type: 'order', source: '/shop', via: 'ingress' });
    const attempts = forEvent.filter((l) => l.msg === 'delivery attempt');
    expect(attempts).toEqual([
      expect.objectContaining({ level: 20, trigger: 'default/orders', attempt: 1, status: 503, destination: `${sink.url}/orders`, durationMs: expect.any(Number), outcome: expect.stringMatching(/^retry at \d{4}-/) }),
      expect.objectContaining({ level: 20, trigger: 'default/orders', attempt: 2, status: 200, durationMs: expect.any(Number), outcome: 'delivered' }),
    ]);
  });

  it('switchyard run --log-level debug prints the same lines on stderr; at info it prints neither', async () => {
    const sink = await startHttpSink();
    defer(() => sink.close());
    const dir = tempDir();
    defer(() => dir.remove());
    const file = join(dir.path, 'manifests.yaml');
    writeFileSync(file, manifests(sink.url));
    for (const level of ['debug', 'info']) {
      const platform = await startCli(['-f', file, '--store', `sqlite:${join(dir.path, `${level}.db`)}`, '--log-level', level]);
      await fetch(`${platform.url}/default/default`, { method: 'POST', headers: { 'ce-specversion': '1.0', 'ce-id': `cli-${level}`, 'ce-source': '/shop', 'ce-type': 'order' } });
      await waitFor(() => sink.received.some((r) => r.headers['ce-id'] === `cli-${level}`), 'the delivery');
      await platform.stop();
      const stderr = platform.output().stderr;
      if (level === 'debug') {
        expect(stderr).toMatch(new RegExp(`"event":"cli-debug".*"msg":"event accepted"`));
        expect(stderr).toMatch(new RegExp(`"trigger":"default/orders".*"event":"cli-debug","attempt":1,.*"status":200,.*"msg":"delivery attempt"`));
      } else {
        expect(stderr).not.toContain('"msg":"event accepted"');
        expect(stderr).not.toContain('"msg":"delivery attempt"');
      }
    }
  });
});
