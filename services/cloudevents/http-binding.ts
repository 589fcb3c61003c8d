/**
 * The HTTP protocol binding (CloudEvents http-protocol-binding.md 1.0.2): binary, structured and
 * batch content modes, read from and written to plain header maps and bytes. No sockets here; the
 * ingress and the delivery code do the I/O.
 */
import { SwitchyardError } from '../errors.ts';
import { type AttributeValue, type CloudEvent, PROTO } from './cloud-event.ts';
import { MAX_JSON_DEPTH, jsonDeeperThan } from './json-depth.ts';
import { eventFromJson, eventToJson, jsonDataTooDeep, TOO_DEEP_RULE } from './json-format.ts';
import { type AttributeViolation, extensionNameRule, validateAttributes } from './validate-attributes.ts';

export type ContentMode = 'binary' | 'structured' | 'batch';
export type HeaderMap = Readonly<Record<string, string | string[] | undefined>>;

export const STRUCTURED_CONTENT_TYPE = 'application/cloudevents+json';
export const BATCH_CONTENT_TYPE = 'application/cloudevents-batch+json';

export interface HttpEvents {
  readonly mode: ContentMode;
  readonly events: CloudEvent[];
}

function mediaType(contentType: string | undefined): string {
  if (contentType === undefined) return '';
  const semi = contentType.indexOf(';');
  return (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

function invalid(violations: AttributeViolation[], index?: number): SwitchyardError {
  const first = violations[0] ?? { attribute: '(event)', rule: 'invalid' };
  const where = index === undefined ? '' : `event [${index}] of the batch: `;
  return new SwitchyardError('SWY_EVENT_INVALID', `${where}${first.rule}`, {
    ...(index === undefined ? {} : { index }),
    attribute: first.attribute,
    rule: first.rule,
    violations,
  });
}

/** `envelopes`: the levels the format adds around the data (1 for an event, 2 for a batch of them). */
function parseJsonBody(body: Uint8Array | undefined, envelopes: number): unknown {
  if (body === undefined || body.byteLength === 0) {
    throw new SwitchyardError('SWY_EVENT_MALFORMED', 'the request body is empty; a structured-mode event is a JSON object');
  }
  // Checked before parsing: JSON.parse and JSON.stringify recurse, and data nested thousands deep overflows the stack.
  if (jsonDeeperThan(body, MAX_JSON_DEPTH + envelopes)) {
    throw new SwitchyardError('SWY_EVENT_INVALID', `the event's data nests deeper than ${MAX_JSON_DEPTH} levels (${TOO_DEEP_RULE})`, { attribute: 'data', rule: TOO_DEEP_RULE });
  }
  try {
    return JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
  } catch (error) {
    throw new SwitchyardError('SWY_EVENT_MALFORMED', `the request body is not valid JSON: ${(error as Error).message}`);
  }
}

function invalidHeader(name: string, problem: string, rule: string): SwitchyardError {
  return new SwitchyardError('SWY_EVENT_INVALID', `header ce-${name} ${problem}`, { attribute: name, rule });
}

/**
 * RFC 7230 §3.2.6: a quoted-string loses its quotes and each backslash escape stands for the
 * character after it; text outside quotes stays as it is. Older CloudEvents senders quote values
 * with spaces instead of percent-encoding them.
 */
function unquoteHeaderValue(name: string, value: string): string {
  let out = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i] as string;
    if (c === '"') quoted = !quoted;
    else if (c === '\\' && quoted) {
      if (i + 1 >= value.length) break;
      out += value[++i];
    } else out += c;
  }
  if (quoted) throw invalidHeader(name, 'has a quoted string without its closing quote', 'a double-quoted header value must end with a closing quote (RFC 7230 §3.2.6)');
  return out;
}

/**
 * http-protocol-binding.md §3.1.3.2: a receiver first unescapes double-quoted strings, then
 * performs one round of percent-decoding (invalid UTF-8, like an overlong %C0%A0, is refused).
 */
function decodeHeaderValue(name: string, value: string): string {
  const unquoted = value.includes('"') ? unquoteHeaderValue(name, value) : value;
  if (!unquoted.includes('%')) return unquoted;
  try {
    return decodeURIComponent(unquoted);
  } catch {
    throw invalidHeader(name, 'has an invalid percent-encoding', 'header values must be valid percent-encoded UTF-8 (http-protocol-binding.md §3.1.3.2)');
  }
}

function binaryEvent(headers: HeaderMap, body: Uint8Array | undefined): CloudEvent {
  const attributes: Record<string, unknown> = {};
  let proto = false;
  for (const key in headers) {
    if (key.length > 3 && (key.charCodeAt(0) | 32) === 99 && (key.charCodeAt(1) | 32) === 101 && key.charCodeAt(2) === 45) {
      const name = key.slice(3).toLowerCase();
      if (name === 'datacontenttype') continue;
      if (name === PROTO) {
        proto = true;
        continue;
      }
      const value = headerValue(headers[key]);
      if (value !== undefined) attributes[name] = decodeHeaderValue(name, value);
    }
  }
  const contentType = headerValue(headers['content-type']);
  if (contentType !== undefined) attributes['datacontenttype'] = contentType;
  const violations = validateAttributes(attributes);
  if (proto) violations.push({ attribute: PROTO, rule: extensionNameRule(PROTO) as string });
  const data = body !== undefined && body.byteLength > 0 ? body : undefined;
  if (jsonDataTooDeep(contentType, data)) violations.push({ attribute: 'data', rule: TOO_DEEP_RULE });
  if (violations.length > 0) throw invalid(violations);
  return { attributes: attributes as Record<string, AttributeValue>, data };
}

/** Reads the events of one HTTP request; throws a SwitchyardError naming what is wrong. */
export function eventsFromHttp(headers: HeaderMap, body: Uint8Array | undefined): HttpEvents {
  const media = mediaType(headerValue(headers['content-type']));
  if (media === STRUCTURED_CONTENT_TYPE) {
    const outcome = eventFromJson(parseJsonBody(body, 1));
    if (!outcome.ok) throw invalid(outcome.violations);
    return { mode: 'structured', events: [outcome.event] };
  }
  if (media === BATCH_CONTENT_TYPE) {
    const parsed = parseJsonBody(body, 2);
    if (!Array.isArray(parsed)) {
      throw new SwitchyardError('SWY_EVENT_MALFORMED', 'a batch (application/cloudevents-batch+json) must be a JSON array of events');
    }
    const events: CloudEvent[] = [];
    for (let i = 0; i < parsed.length; i++) {
      const outcome = eventFromJson(parsed[i]);
      if (!outcome.ok) throw invalid(outcome.violations, i);
      events.push(outcome.event);
    }
    return { mode: 'batch', events };
  }
  if (media.startsWith('application/cloudevents') && headers['ce-specversion'] === undefined) {
    throw new SwitchyardError('SWY_EVENT_FORMAT_UNSUPPORTED', `the event format ${media} is not supported; use application/cloudevents+json, application/cloudevents-batch+json or binary mode`);
  }
  if (headers['ce-specversion'] === undefined) {
    throw new SwitchyardError(
      'SWY_EVENT_MALFORMED',
      'the request is not a CloudEvent: binary mode needs a ce-specversion header, structured mode the content type application/cloudevents+json',
      { attribute: 'specversion', rule: 'specversion is required' },
    );
  }
  return { mode: 'binary', events: [binaryEvent(headers, body)] };
}

// http-protocol-binding.md §3.1.3.2: space, double quote, percent and anything outside printable ASCII are percent-encoded.
const UNSAFE_HEADER_CHAR = /[^\u0021\u0023\u0024\u0026-\u007e]/;

function encodeHeaderValue(value: string): string {
  if (!UNSAFE_HEADER_CHAR.test(value)) return value;
  let out = '';
  for (const char of value) out += UNSAFE_HEADER_CHAR.test(char) ? encodeURIComponent(char) : char;
  return out;
}

export interface HttpMessage {
  readonly headers: Record<string, string>;
  readonly body: Uint8Array | string | undefined;
}

/**
 * `ce-<name>` per attribute name, made once: a string concatenation per attribute of every
 * delivered event showed in bench:kafka's profile. Bounded, as names come from events.
 */
const headerNames = new Map<string, string>();
const MAX_HEADER_NAMES = 4096;

function headerName(attribute: string): string {
  let name = headerNames.get(attribute);
  if (name === undefined) {
    name = `ce-${attribute}`;
    if (headerNames.size >= MAX_HEADER_NAMES) headerNames.clear();
    headerNames.set(attribute, name);
  }
  return name;
}

export function toBinaryHttp(event: CloudEvent): HttpMessage {
  const headers: Record<string, string> = {};
  for (const name in event.attributes) {
    const value = event.attributes[name];
    if (value === undefined) continue;
    if (name === 'datacontenttype') headers['content-type'] = String(value);
    else headers[headerName(name)] = encodeHeaderValue(typeof value === 'string' ? value : String(value));
  }
  return { headers, body: event.data };
}

export function toStructuredHttp(event: CloudEvent): HttpMessage {
  return { headers: { 'content-type': `${STRUCTURED_CONTENT_TYPE}; charset=utf-8` }, body: JSON.stringify(eventToJson(event)) };
}

export function toBatchHttp(events: readonly CloudEvent[]): HttpMessage {
  return { headers: { 'content-type': `${BATCH_CONTENT_TYPE}; charset=utf-8` }, body: JSON.stringify(events.map(eventToJson)) };
}
