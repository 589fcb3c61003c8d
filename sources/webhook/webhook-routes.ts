/**
 * WebhookSource ingress: `POST /webhooks/<namespace>/<name>` on the platform's port.
 *
 *   source known? ──no──▶ 404 · body ≤ limit? ──no──▶ 413
 *   authenticated (the source's preset)? ──no──▶ 401 SWY_WEBHOOK_UNAUTHORIZED
 *   a CloudEvent (binary, structured or batch)? ──yes──▶ as it is (400 when invalid)
 *        │ no
 *        ▼
 *   build the event (webhook-event.ts) ──▶ 400 SWY_WEBHOOK_REJECTED when a header it needs is missing
 *        │
 *        ▼
 *   append to the source's outbox ──▶ 429 / 503 with Retry-After when the store cannot take it
 *        │
 *        ▼
 *      202, then the outbox's trigger delivers to the sink
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { logAccepted } from '../../services/broker/accepted-log.ts';
import type { EventLog } from '../../services/broker/event-log.ts';
import { answerWebhookHandshake } from '../../services/broker/ingress/webhook-handshake.ts';
import { eventsFromHttp } from '../../services/cloudevents/http-binding.ts';
import { SwitchyardError } from '../../services/errors.ts';
import type { WebhookSourceConfig } from '../../services/manifests/runtime-config.ts';
import { type WebhookAuth, verifyWebhook } from './webhook-auth.ts';
import { webhookEvent } from './webhook-event.ts';

export interface ServedWebhook {
  readonly config: WebhookSourceConfig;
  readonly auth: WebhookAuth | undefined;
}

export interface WebhookRoutesOptions {
  readonly log: EventLog;
  readonly webhooks: ReadonlyMap<string, ServedWebhook>;
  readonly bodyLimit: number;
}

interface Params {
  namespace: string;
  name: string;
}

function headerMap(headers: Record<string, string | string[] | undefined>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) out[name] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}

export async function webhookRoutes(app: FastifyInstance, options: WebhookRoutesOptions): Promise<void> {
  // The raw bytes: signatures are computed over them.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: options.bodyLimit }, (_request, body, done) => done(null, body));

  const served = (params: Params): ServedWebhook => {
    const webhook = options.webhooks.get(`${params.namespace}/${params.name}`);
    if (webhook === undefined) throw new SwitchyardError('SWY_ROUTE_NOT_FOUND', `no WebhookSource ${params.namespace}/${params.name} is configured`);
    return webhook;
  };

  app.post<{ Params: Params }>('/webhooks/:namespace/:name', async (request, reply) => {
    const webhook = served(request.params);
    const body = (request.body as Buffer | undefined) ?? Buffer.alloc(0);
    const headers = headerMap(request.headers);
    if (webhook.auth !== undefined) {
      const verdict = verifyWebhook(webhook.auth, { headers, body, now: Date.now() });
      if (!verdict.ok) throw new SwitchyardError('SWY_WEBHOOK_UNAUTHORIZED', `the request is not authenticated: ${verdict.reason}`);
    }
    const contentType = headers['content-type'] ?? '';
    const isCloudEvent = headers['ce-specversion'] !== undefined || contentType.startsWith('application/cloudevents');
    let events;
    if (isCloudEvent) events = eventsFromHttp(request.headers, body).events;
    else {
      const [path = '', query = ''] = request.url.split('?', 2);
      const built = webhookEvent(webhook.config.event, { method: request.method, path, query, headers, body });
      if (!built.ok) throw new SwitchyardError('SWY_WEBHOOK_REJECTED', built.reason);
      events = [built.event];
    }
    const offsets = await options.log.append(webhook.config.outbox, events);
    logAccepted(app.log as Logger, webhook.config.outbox, events, offsets, `WebhookSource ${webhook.config.key}`);
    reply.code(202);
    return '';
  });

  app.options<{ Params: Params }>('/webhooks/:namespace/:name', async (request, reply) => {
    served(request.params);
    return answerWebhookHandshake(request, reply, 'POST, OPTIONS');
  });
}
