/**
 * Authentication: bearer tokens for the admin API (read and admin roles), optional ingress tokens
 * per broker, `run` refusing to listen beyond loopback without admin tokens, an allow-list for
 * `redrive --to`, and no token ever in a log line or an answer.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { deferredCleanups } from '../support/cleanups.ts';
import { runCli, startCli } from '../support/cli.ts';
import { startHttpSink } from '../support/http-sink.ts';
import { ONE_BROKER, startTestPlatform } from '../support/platform.ts';
import { tempDir } from '../support/temp-dir.ts';

const defer = deferredCleanups();
const ADMIN = 'admin-token-0123456789abcdef';
const READ = 'read-token-0123456789abcdef';
const INGRESS = 'ingress-token-0123456789abcdef';

describe('Authentication', () => {
  it('the admin API takes read tokens for reading and admin tokens for everything, answers 401 and 403 otherwise, and no token shows in a log line or an answer', async () => {
    const lines: string[] = [];
    const answers: string[] = [];
    const sink = await startHttpSink();
    defer(() => sink.close());
    process.env['SWT_INGRESS_TOKEN'] = INGRESS;
    defer(() => delete process.env['SWT_INGRESS_TOKEN']);
    const platform = await startTestPlatform(
      `apiVersion: eventing.knative.dev/v1
kind: Broker
metadata:
  name: default
  annotations: { switchyard.dev/ingress-token-env: SWT_INGRESS_TOKEN }
`,
      { adminTokens: [ADMIN], readTokens: [READ], redriveHosts: ['localhost'], logger: pino({ level: 'trace' }, { write: (line: string) => lines.push(line) }) },
    );
    defer(() => platform.stop());
    const call = async (method: string, path: string, token?: string, body?: object) => {
      const response = await fetch(`${platform.url}${path}`, {
        method,
        headers: { ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      answers.push(text, JSON.stringify([...response.headers]));
      return { status: response.status, code: text === '' ? undefined : (JSON.parse(text) as { code?: string }).code, headers: response.headers };
    };
    const unauthorized = await call('GET', '/api/v1/dead-letters');
    expect(unauthorized).toMatchObject({ status: 401, code: 'SWY_UNAUTHORIZED' });
    expect(unauthorized.headers.get('www-authenticate')).toBe('Bearer');
    expect(await call('GET', '/api/v1/dead-letters', 'not-a-token-of-ours-at-all')).toMatchObject({ status: 401, code: 'SWY_UNAUTHORIZED' });
    expect((await call('GET', '/api/v1/dead-letters', READ)).status).toBe(200);
    expect((await call('GET', '/api/v1/brokers/default/default/events', READ)).status).toBe(200);
    expect(await call('POST', '/api/v1/dead-letters/purge', READ, { all: true, yes: true })).toMatchObject({ status: 403, code: 'SWY_FORBIDDEN' });
    expect((await call('POST', '/api/v1/dead-letters/purge', ADMIN, { all: true })).status).toBe(200);
    expect(await call('GET', '/api/v1/nothing')).toMatchObject({ status: 401 });
    expect((await call('GET', '/healthz')).status).toBe(200);
    // redrive --to only to the allowed hosts.
    expect(await call('POST', '/api/v1/dead-letters/redrive', ADMIN, { all: true, to: `${sink.url}/x` })).toMatchObject({ status: 403, code: 'SWY_FORBIDDEN' });
    expect((await call('POST', '/api/v1/dead-letters/redrive', ADMIN, { all: true, to: sink.url.replace('127.0.0.1', 'localhost') })).status).toBe(200);
    // Ingress tokens per broker.
    const publish = (token?: string) =>
      fetch(`${platform.url}/default/default`, { method: 'POST', headers: { 'ce-specversion': '1.0', 'ce-id': '1', 'ce-source': '/s', 'ce-type': 't', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) } });
    expect((await publish()).status).toBe(401);
    expect((await publish(ADMIN)).status).toBe(401);
    expect((await publish(INGRESS)).status).toBe(202);
    for (const secret of [ADMIN, READ, INGRESS]) {
      expect(lines.filter((line) => line.includes(secret))).toEqual([]);
      expect(answers.filter((text) => text.includes(secret))).toEqual([]);
    }
  });

  it('switchyard dlq and events send --token or SWITCHYARD_TOKEN; send gives a broker its ingress token', async () => {
    const dir = tempDir();
    defer(() => dir.remove());
    const tokens = join(dir.path, 'admin.tokens');
    writeFileSync(tokens, `# rotating: the old one and the new one\n${ADMIN}\n`);
    const manifests = join(dir.path, 'manifests.yaml');
    writeFileSync(manifests, `${ONE_BROKER}  annotations: { switchyard.dev/ingress-token-file: ./ingress.token }\n`);
    writeFileSync(join(dir.path, 'ingress.token'), `${INGRESS}\n`);
    const platform = await startCli(['-f', manifests, '--store', `sqlite:${join(dir.path, 'store.db')}`, '--admin-token-file', tokens]);
    defer(() => platform.stop());
    const denied = await runCli(['dlq', 'list', '--url', platform.url]);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain('401 SWY_UNAUTHORIZED');
    expect((await runCli(['dlq', 'list', '--url', platform.url, '--token', ADMIN])).code).toBe(0);
    expect((await runCli(['events', '--broker', 'default', '--url', platform.url], { env: { SWITCHYARD_TOKEN: ADMIN } })).code).toBe(0);
    const refused = await runCli(['send', '--broker', 'default', '--url', platform.url, '--type', 't']);
    expect(refused.stderr).toContain('401 SWY_UNAUTHORIZED');
    expect((await runCli(['send', '--broker', 'default', '--url', platform.url, '--type', 't', '--token', INGRESS])).code).toBe(0);
  });

  it('run refuses to listen beyond loopback without admin tokens, saying how to give them or --insecure', async () => {
    const dir = tempDir();
    defer(() => dir.remove());
    const store = `sqlite:${join(dir.path, 'store.db')}`;
    const refused = await runCli(['run', '-f', 'examples/quickstart', '--host', '0.0.0.0', '--port', '0', '--store', store]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('error SWY_INSECURE_LISTEN: --host 0.0.0.0 would let anyone who reaches the port redrive and purge');
    const insecure = await startCli(['-f', 'examples/quickstart', '--host', '0.0.0.0', '--store', store, '--insecure']);
    await insecure.stop();
    const short = await runCli(['run', '-f', 'examples/quickstart', '--port', '0', '--store', store], { env: { SWITCHYARD_ADMIN_TOKEN: 'short' } });
    expect(short.code).toBe(2);
    expect(short.stderr).toContain('a token from SWITCHYARD_ADMIN_TOKEN is shorter than 16 characters');
    const secured = await startCli(['-f', 'examples/quickstart', '--host', '0.0.0.0', '--store', store], { env: { SWITCHYARD_ADMIN_TOKEN: ADMIN } });
    await secured.stop();
  });

  it('validate reports an ingress token secret that cannot be read, at its annotation', async () => {
    const dir = tempDir();
    defer(() => dir.remove());
    const file = join(dir.path, 'broker.yaml');
    writeFileSync(file, `${ONE_BROKER}  annotations: { switchyard.dev/ingress-token-env: SWT_UNSET_INGRESS_TOKEN }\n`);
    const result = await runCli(['validate', '-f', file]);
    expect(result.code).toBe(1);
    expect(result.stdout.trim()).toBe(`${file}:7:52 Broker/default metadata.annotations["switchyard.dev/ingress-token-env"]: environment variable SWT_UNSET_INGRESS_TOKEN is not set (expected the secret in it)`);
  });
});
