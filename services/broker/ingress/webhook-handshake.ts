/**
 * The CloudEvents webhook handshake (http-webhook.md §4): an `OPTIONS` request asking whether the
 * origin may send here is answered yes, echoing the origin and allowing any rate. Brokers and
 * WebhookSources answer it alike.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

export function answerWebhookHandshake(request: FastifyRequest, reply: FastifyReply, allow: string): string {
  const origin = request.headers['webhook-request-origin'];
  reply.header('Allow', allow);
  reply.header('WebHook-Allowed-Origin', typeof origin === 'string' && origin.length > 0 ? origin : '*');
  if (request.headers['webhook-request-rate'] !== undefined) reply.header('WebHook-Allowed-Rate', '*');
  reply.code(200);
  return '';
}
