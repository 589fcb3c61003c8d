/**
 * Turns a webhook request that is not a CloudEvent into one. Pure: the request comes in as plain
 * values. `type` and `source` are fixed or read from a header, `id` from a configured header (a
 * delivery id) or a fresh UUID, `data` the body with its content type; extensions from the
 * method, path, query and chosen headers are added on request, their names sanitised to
 * CloudEvents rules (lower-case letters and digits) behind an `http` prefix, so a header can never
 * overwrite a context attribute.
 *
 * The github preset maps to Knative's GitHubSource: `type dev.knative.source.github.<X-GitHub-Event>`,
 * `id` the `X-GitHub-Delivery`, `source` the repository's URL from the payload.
 */
import { randomUUID } from 'node:crypto';
import type { AttributeValue, CloudEvent } from '../../services/cloudevents/cloud-event.ts';
import { isJsonMediaType, jsonDataTooDeep, resolveDataEncoding, TOO_DEEP_RULE } from '../../services/cloudevents/json-format.ts';

export type ValueOrHeader = { readonly value: string } | { readonly header: string };

export interface WebhookEventSpec {
  readonly type: ValueOrHeader | undefined;
  readonly source: ValueOrHeader | undefined;
  readonly idHeader: string | undefined;
  /** Knative GitHubSource defaults for type, id and source. */
  readonly github: boolean;
  readonly extensions: { readonly method: boolean; readonly path: boolean; readonly query: boolean; readonly headers: readonly string[] };
  /** Used when nothing else gives the source: `/apis/v1alpha1/namespaces/<ns>/webhooksources/<name>`. */
  readonly defaultSource: string;
}

export interface IncomingWebhook {
  readonly method: string;
  readonly path: string;
  /** The query string without `?`, as received. */
  readonly query: string;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: Buffer;
}

export const DEFAULT_WEBHOOK_TYPE = 'dev.switchyard.webhook';

export type BuiltEvent = { readonly ok: true; readonly event: CloudEvent } | { readonly ok: false; readonly reason: string };

/** `X-Request-Id` → `httpheaderxrequestid`. */
export function headerExtensionName(header: string): string {
  return `httpheader${header.toLowerCase().replace(/[^a-z0-9]/g, '')}`;
}

function read(spec: ValueOrHeader, headers: IncomingWebhook['headers'], what: string): string | { error: string } {
  if ('value' in spec) return spec.value;
  const value = headers[spec.header.toLowerCase()];
  return value === undefined || value === '' ? { error: `the ${spec.header} header is missing (expected it to give the event's ${what})` } : value;
}

function githubRepositoryUrl(body: Buffer): string | undefined {
  try {
    const payload = JSON.parse(body.toString('utf8')) as { repository?: { html_url?: unknown } };
    return typeof payload.repository?.html_url === 'string' ? payload.repository.html_url : undefined;
  } catch {
    return undefined;
  }
}

export function webhookEvent(spec: WebhookEventSpec, request: IncomingWebhook): BuiltEvent {
  const { headers } = request;
  const typeSpec = spec.type ?? (spec.github ? undefined : { value: DEFAULT_WEBHOOK_TYPE });
  let type: string | { error: string };
  if (typeSpec !== undefined) type = read(typeSpec, headers, 'type');
  else {
    const event = headers['x-github-event'];
    type = event === undefined || event === '' ? { error: 'the X-GitHub-Event header is missing (expected it to give the event type, as GitHub sends it)' } : `dev.knative.source.github.${event}`;
  }
  if (typeof type !== 'string') return { ok: false, reason: type.error };
  const source = spec.source !== undefined ? read(spec.source, headers, 'source') : (spec.github ? githubRepositoryUrl(request.body) : undefined) ?? spec.defaultSource;
  if (typeof source !== 'string') return { ok: false, reason: source.error };
  const idHeader = spec.idHeader ?? (spec.github ? 'X-GitHub-Delivery' : undefined);
  const id = idHeader === undefined ? randomUUID() : headers[idHeader.toLowerCase()];
  if (id === undefined || id === '') return { ok: false, reason: `the ${idHeader} header is missing (expected it to give the event's id)` };

  const attributes: Record<string, AttributeValue> = { specversion: '1.0', id, source, type };
  const contentType = headers['content-type'];
  if (request.body.byteLength > 0 && contentType !== undefined) attributes['datacontenttype'] = contentType;
  if (spec.extensions.method) attributes['httpmethod'] = request.method;
  if (spec.extensions.path) attributes['httppath'] = request.path;
  if (spec.extensions.query && request.query !== '') attributes['httpquery'] = request.query;
  for (const header of spec.extensions.headers) {
    const value = headers[header.toLowerCase()];
    if (value !== undefined) attributes[headerExtensionName(header)] = value;
  }
  const event: CloudEvent = { attributes, data: request.body.byteLength > 0 ? request.body : undefined };
  if (jsonDataTooDeep(contentType, event.data)) return { ok: false, reason: `the JSON body nests too deep (${TOO_DEEP_RULE})` };
  const dataEncoding = resolveDataEncoding(event);
  // A body that claims to be JSON and is not is malformed: sinks would get bytes they cannot parse.
  if (contentType !== undefined && isJsonMediaType(contentType) && event.data !== undefined && dataEncoding !== 'json') {
    return { ok: false, reason: `the body is not valid JSON, though its content type is ${contentType} (expected JSON, or another content type)` };
  }
  return { ok: true, event: { ...event, dataEncoding } };
}
