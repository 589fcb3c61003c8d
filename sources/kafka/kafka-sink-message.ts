/**
 * An event as the Kafka record a KafkaSink produces (Kafka protocol binding 1.0, pure): binary mode
 * puts every attribute in a `ce_` header (`datacontenttype` as `content-type`) and the data in the
 * value; structured mode the JSON event format in the value with `content-type:
 * application/cloudevents+json`. The key is the `partitionkey` extension when the event has one,
 * so events of one key go to one partition, in order.
 */
import type { CloudEvent } from '../../services/cloudevents/cloud-event.ts';
import { eventToJson } from '../../services/cloudevents/json-format.ts';

export interface KafkaMessage {
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly headers: Record<string, string>;
}

export function eventToKafkaMessage(event: CloudEvent, contentMode: 'binary' | 'structured'): KafkaMessage {
  const partitionKey = event.attributes['partitionkey'];
  const key = partitionKey === undefined ? null : String(partitionKey);
  if (contentMode === 'structured') {
    return { key, value: Buffer.from(JSON.stringify(eventToJson(event)), 'utf8'), headers: { 'content-type': 'application/cloudevents+json' } };
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.attributes)) {
    if (name === 'datacontenttype') headers['content-type'] = String(value);
    else headers[`ce_${name}`] = String(value);
  }
  return { key, value: event.data === undefined ? null : Buffer.from(event.data), headers };
}
