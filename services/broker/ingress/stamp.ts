/**
 * What ingress adds to every event it accepts (knative/eventing pkg/broker/ttl.go and
 * ingress_handler.go): `knativearrivaltime`, and the `knativebrokerttl` hop counter, set to the
 * maximum when absent and decremented when present; an event with nothing left is refused.
 */
import { ARRIVAL_TIME, type AttributeValue, BROKER_TTL, type CloudEvent } from '../../cloudevents/cloud-event.ts';
import { SwitchyardError } from '../../errors.ts';

function ttlOf(value: AttributeValue): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
  throw new SwitchyardError('SWY_EVENT_INVALID', `${BROKER_TTL} must be an integer hop count, not ${JSON.stringify(value)}`, {
    attribute: BROKER_TTL,
    rule: `${BROKER_TTL} must be an integer`,
  });
}

export function stampIngress(event: CloudEvent, arrivalTime: string, maxTtl: number): CloudEvent {
  // A for-in copy, not object spread: measured 120 ns against 2.2 µs per event for spread, whose
  // slow path V8 takes for these dynamically keyed objects.
  const attributes: Record<string, AttributeValue> = {};
  const source = event.attributes;
  for (const name in source) attributes[name] = source[name] as AttributeValue;
  attributes[ARRIVAL_TIME] = arrivalTime;
  const current = attributes[BROKER_TTL];
  if (current === undefined) {
    attributes[BROKER_TTL] = maxTtl;
  } else {
    const next = Math.max(0, ttlOf(current) - 1);
    if (next <= 0) {
      throw new SwitchyardError('SWY_TTL_EXHAUSTED', `the event has passed through the broker too many times (${BROKER_TTL} reached 0); this usually means a reply loop`, {
        attribute: BROKER_TTL,
        rule: `${BROKER_TTL} must be greater than 1 when an event enters the broker`,
      });
    }
    attributes[BROKER_TTL] = next;
  }
  return { attributes, data: event.data, dataEncoding: event.dataEncoding };
}
