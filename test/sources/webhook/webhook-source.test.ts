/**
 * WebhookSource end to end: a real platform, real HTTP requests signed as the services sign them,
 * a real sink. Authentication, building events from plain requests, CloudEvents passing through,
 * the errors, and a flood beyond capacity where everything answered 202 is delivered.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type HttpSink, startHttpSink } from '../../support/http-sink.ts';
import { startTestPlatform, type TestPlatform } from '../../support/platform.ts';
import { waitFor } from '../../support/wait-for.ts';
import { deferredCleanups } from '../../support/cleanups.ts';

const defer = deferredCleanups();

async function sink(): Promise<HttpSink> {
  const s = await startHttpSink();
  defer(() => s.close());
  return s;
}

async function platform(manifests: string, options: Parameters<typeof startTestPlatform>[1] = {}, files: Record<string, string> = {}): Promise<TestPlatform> {
  const p = await startTestPlatform(manifests, options, files);
  defer(() => p.stop());
  return p;
}

function webhook(name: string, sinkUrl: string, spec: string): string {
  return `---
apiVersion: switchyard.dev/v1alpha1
kind: WebhookSource
metadata: { name: ${name} }
spec:
${spec}
  sink: { uri: "${sinkUrl}" }
`;
}

async function post(url: string, body: string, headers: Record<string, string>) {
  const response = await fetch(url, { method: 'POST', headers, body });
  return { status: response.status, body: await response.text() };
}

describe('WebhookSource', () => {
  it('github: a signed delivery becomes the event Knative\'s GitHubSource sends; a wrong signature gets 401 and nothing is sent', async () => {
    process.env['SWT_GITHUB_SECRET'] = "It's a Secret to Everybody";
    defer(() => void delete process.env['SWT_GITHUB_SECRET']);
    const s = await sink();
    const p = await platform(webhook('github', s.url, '  auth: { github: { secret: { env: SWT_GITHUB_SECRET } } }'));
    const payload = JSON.stringify({ ref: 'refs/heads/main', repository: { html_url: 'https://github.com/octo/hello' } });
    const signature = `sha256=${createHmac('sha256', "It's a Secret to Everybody").update(payload).digest('hex')}`;
    const url = `${p.url}/webhooks/default/github`;
    const headers = { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958' };
    expect(await post(url, payload, { ...headers, 'x-hub-signature-256': signature })).toEqual({ status: 202, body: '' });
    const refused = await post(url, payload.replace('main', 'evil'), { ...headers, 'x-hub-signature-256': signature });
    expect(refused.status).toBe(401);
    expect(JSON.parse(refused.body)).toMatchObject({ code: 'SWY_WEBHOOK_UNAUTHORIZED', message: 'the request is not authenticated: X-Hub-Signature-256 does not match the body and the secret' });
    const received = await waitFor(() => s.received[0], 'the delivery');
    expect(received.headers).toMatchObject({
      'ce-type': 'dev.knative.source.github.push',
      'ce-id': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
      'ce-source': 'https://github.com/octo/hello',
      'content-type': 'application/json',
    });
    expect(received.body.toString()).toBe(payload);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(s.received).toHaveLength(1);
  });

  it('standard webhooks with the secret in a file; type and id from headers; opt-in extensions with sanitised names', async () => {
    const s = await sink();
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const p = await platform(
      webhook(
        'billing',
        s.url,
        `  auth: { standardWebhooks: { secret: { file: ./billing.secret } } }
  event:
    type: { header: X-Event-Type }
    source: /billing
    id: { header: webhook-id }
  extensions: { method: true, path: true, query: true, headers: [X-Request-Id] }`,
      ),
      {},
      { 'billing.secret': `${secret}\n` },
    );
    const body = '{"invoice":"in_1"}';
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = createHmac('sha256', Buffer.from(secret.slice(6), 'base64')).update(`msg_1.${timestamp}.${body}`).digest('base64');
    const result = await post(`${p.url}/webhooks/default/billing?tenant=acme`, body, {
      'content-type': 'application/json',
      'webhook-id': 'msg_1',
      'webhook-timestamp': timestamp,
      'webhook-signature': `v1,${signature}`,
      'x-event-type': 'invoice.paid',
      'x-request-id': 'req-9',
    });
    expect(result.status).toBe(202);
    const received = await waitFor(() => s.received[0], 'the delivery');
    expect(received.headers).toMatchObject({
      'ce-type': 'invoice.paid',
      'ce-source': '/billing',
      'ce-id': 'msg_1',
      'ce-httpmethod': 'POST',
      'ce-httppath': '/webhooks/default/billing',
      'ce-httpquery': 'tenant=acme',
      'ce-httpheaderxrequestid': 'req-9',
    });
  });

  it('a request that already is a CloudEvent passes through as it is', async () => {
    process.env['SWT_TOKEN'] = 'tok-1';
    defer(() => void delete process.env['SWT_TOKEN']);
    const s = await sink();
    const p = await platform(webhook('ce', s.url, '  auth: { bearer: { token: { env: SWT_TOKEN } } }'));
    const result = await post(`${p.url}/webhooks/default/ce`, '{"n":1}', {
      authorization: 'Bearer tok-1',
      'ce-specversion': '1.0',
      'ce-id': 'own-id',
      'ce-source': '/own',
      'ce-type': 'com.example.own',
      'content-type': 'application/json',
    });
    expect(result.status).toBe(202);
    const received = await waitFor(() => s.received[0], 'the delivery');
    expect(received.headers).toMatchObject({ 'ce-id': 'own-id', 'ce-source': '/own', 'ce-type': 'com.example.own' });
    expect(received.body.toString()).toBe('{"n":1}');
    expect((await post(`${p.url}/webhooks/default/ce`, '{}', { authorization: 'Bearer tok-1', 'ce-specversion': '1.0', 'ce-id': 'x' })).status).toBe(400);
  });

  it('answers 400 for a missing header it needs or a malformed JSON body, 413 over the body limit, 404 for an unknown source, takes a trailing slash (Trailing slash), and the OPTIONS handshake', async () => {
    const s = await sink();
    const p = await platform(webhook('open', s.url, '  event: { id: { header: X-Delivery } }'), { bodyLimit: 1024 });
    const rejected = await post(`${p.url}/webhooks/default/open`, '{}', { 'content-type': 'application/json' });
    expect(rejected.status).toBe(400);
    expect(JSON.parse(rejected.body)).toMatchObject({ code: 'SWY_WEBHOOK_REJECTED', message: "the X-Delivery header is missing (expected it to give the event's id)" });
    const malformed = await post(`${p.url}/webhooks/default/open`, '{"unterminated', { 'content-type': 'application/json', 'x-delivery': 'd1' });
    expect(malformed.status).toBe(400);
    expect(JSON.parse(malformed.body)).toMatchObject({ code: 'SWY_WEBHOOK_REJECTED', message: expect.stringMatching(/the body is not valid JSON, though its content type is application\/json/) });
    expect((await post(`${p.url}/webhooks/default/open`, 'x'.repeat(2048), { 'content-type': 'text/plain', 'x-delivery': 'd1' })).status).toBe(413);
    expect((await post(`${p.url}/webhooks/default/nope`, '{}', { 'x-delivery': 'd1' })).status).toBe(404);
    // Trailing slash: the same source, as for brokers.
    expect((await post(`${p.url}/webhooks/default/open/`, '{}', { 'content-type': 'application/json', 'x-delivery': 'd2' })).status).toBe(202);
    const handshake = await fetch(`${p.url}/webhooks/default/open`, { method: 'OPTIONS', headers: { 'webhook-request-origin': 'eventemitter.example.com' } });
    expect(handshake.status).toBe(200);
    expect(handshake.headers.get('webhook-allowed-origin')).toBe('eventemitter.example.com');
  });

  it('a secret that cannot be read stops the start, naming the source and the field', async () => {
    delete process.env['SWT_MISSING'];
    const refused = await startTestPlatform(webhook('gh', 'http://localhost:1', '  auth: { github: { secret: { env: SWT_MISSING } } }')).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'SWY_CONFIG_INVALID', message: expect.stringMatching(/WebhookSource\/gh spec\.auth\.github\.secret\.env: environment variable SWT_MISSING is not set/) });
  });

  it('a flood beyond capacity gets 429 or 503 with Retry-After, and every request answered 202 is delivered', async () => {
    const s = await sink();
    const p = await platform(webhook('flood', s.url, '  event: { id: { header: X-Delivery } }'), { maxPendingEvents: 5 });
    const statuses = new Map<number, number>();
    const accepted = new Set<string>();
    await Promise.all(
      Array.from({ length: 800 }, async (_, i) => {
        const response = await fetch(`${p.url}/webhooks/default/flood`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-delivery': `f${i}` }, body: `{"i":${i}}` });
        await response.arrayBuffer();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        if (response.status === 202) accepted.add(`f${i}`);
        else expect(response.headers.get('retry-after')).toBe('1');
      }),
    );
    expect([...statuses.keys()].every((status) => status === 202 || status === 429 || status === 503)).toBe(true);
    expect((statuses.get(429) ?? 0) + (statuses.get(503) ?? 0)).toBeGreaterThan(0);
    expect(accepted.size).toBeGreaterThan(0);
    await waitFor(() => {
      const got = new Set(s.received.map((r) => String(r.headers['ce-id'])));
      return [...accepted].every((id) => got.has(id));
    }, 'every accepted webhook delivered', 20_000);
  });
});
