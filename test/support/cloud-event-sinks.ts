/** HTTP sinks that speak CloudEvents in binary mode, as a flow's steps and filters do. */
import type { ServerResponse } from 'node:http';
import { type HttpSink, type ReceivedRequest, startHttpSink } from './http-sink.ts';

export interface ReceivedEvent {
  readonly type: string;
  readonly id: string;
  readonly source: string;
  readonly data: Record<string, unknown>;
}

/** The binary-mode event of a request whose data is JSON. */
export function eventOf(request: ReceivedRequest): ReceivedEvent {
  return {
    type: String(request.headers['ce-type']),
    id: String(request.headers['ce-id']),
    source: String(request.headers['ce-source']),
    data: request.body.byteLength === 0 ? {} : (JSON.parse(request.body.toString('utf8')) as Record<string, unknown>),
  };
}

export function replyWithEvent(response: ServerResponse, event: { type: string; id: string; source: string; data: unknown }): void {
  response
    .writeHead(200, { 'ce-specversion': '1.0', 'ce-id': event.id, 'ce-source': event.source, 'ce-type': event.type, 'content-type': 'application/json' })
    .end(JSON.stringify(event.data));
}

/**
 * Knative's `appender` sample (the Sequence documentation's steps): replies with the event, its
 * `message` with `suffix` appended, and type `type`.
 */
export function startAppender(suffix: string, type = 'samples.http.mod3'): Promise<HttpSink> {
  return startHttpSink((request, response) => {
    const event = eventOf(request);
    replyWithEvent(response, { ...event, type, data: { ...event.data, message: `${String(event.data['message'] ?? '')}${suffix}` } });
  });
}

/** A sink that answers 202 with nothing (Knative's event-display): what it received is the result. */
export function startDisplay(): Promise<HttpSink> {
  return startHttpSink((_request, response) => response.writeHead(202).end());
}

/** The events a sink received, in the order it received them. */
export function eventsAt(sink: HttpSink): ReceivedEvent[] {
  return sink.received.map(eventOf);
}

/** A sink that answers 202 and counts each event id it receives (at-least-once checks). */
export async function startIdCounter(): Promise<{ sink: HttpSink; seen: Map<string, number> }> {
  const seen = new Map<string, number>();
  const sink = await startHttpSink((request, response) => {
    const id = String(request.headers['ce-id']);
    seen.set(id, (seen.get(id) ?? 0) + 1);
    response.writeHead(202).end();
  });
  return { sink, seen };
}
