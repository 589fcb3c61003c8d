/**
 * Puts events into a broker the way ingress does, for every producer inside the platform (ingress
 * itself, replies, redriven dead letters): stamp arrival time and hop count, then append durably.
 */
import type { Logger } from 'pino';
import type { CloudEvent } from '../cloudevents/cloud-event.ts';
import { SwitchyardError } from '../errors.ts';
import { logAccepted } from './accepted-log.ts';
import type { BrokerKey, EventLog } from './event-log.ts';
import { stampIngress } from './ingress/stamp.ts';

let lastArrivalMs = 0;
let lastArrival = '';

/** The RFC 3339 arrival time, formatted once per millisecond rather than once per event. */
function arrivalTime(): string {
  const now = Date.now();
  if (now !== lastArrivalMs) {
    lastArrivalMs = now;
    lastArrival = new Date(now).toISOString();
  }
  return lastArrival;
}

export class Publisher {
  constructor(
    private readonly log: EventLog,
    private readonly brokers: ReadonlySet<BrokerKey>,
    private readonly maxTtl: number,
    private readonly logger?: Logger,
  ) {}

  hasBroker(broker: BrokerKey): boolean {
    return this.brokers.has(broker);
  }

  /**
   * Rejects with SWY_BROKER_NOT_FOUND, SWY_TTL_EXHAUSTED, SWY_EVENT_INVALID, SWY_OVERLOADED or
   * SWY_STORE_UNAVAILABLE. `via` says who published, for the debug log (ingress, a reply, …).
   */
  async publish(broker: BrokerKey, events: readonly CloudEvent[], via = 'ingress'): Promise<string[]> {
    if (!this.brokers.has(broker)) throw new SwitchyardError('SWY_BROKER_NOT_FOUND', `no broker ${broker} is configured`, { broker });
    const arrival = arrivalTime();
    const stamped = events.map((event) => stampIngress(event, arrival, this.maxTtl));
    const offsets = await this.log.append(broker, stamped);
    logAccepted(this.logger, broker, stamped, offsets, via);
    return offsets;
  }
}
