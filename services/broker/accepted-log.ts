/**
 * `--log-level debug`: a line for every event stored, so that a user can follow one event from
 * its arrival (here) through each delivery attempt (trigger-dispatcher.ts). Nothing is built at
 * other levels: the level is checked once per call, before any object is made.
 */
import type { Logger } from 'pino';
import type { CloudEvent } from '../cloudevents/cloud-event.ts';
import type { BrokerKey } from './event-log.ts';

export function logAccepted(logger: Logger | undefined, broker: BrokerKey, events: readonly CloudEvent[], offsets: readonly string[], via: string): void {
  if (logger === undefined || !logger.isLevelEnabled('debug')) return;
  events.forEach((event, i) => {
    logger.debug({ broker, offset: offsets[i], event: event.attributes['id'], type: event.attributes['type'], source: event.attributes['source'], via }, 'event accepted');
  });
}
