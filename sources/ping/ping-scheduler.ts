/**
 * Fires PingSources: the contract both engines implement.
 *
 * | engine   | what fires a tick                                   | after a stop                               |
 * |----------|-----------------------------------------------------|--------------------------------------------|
 * | embedded | a timer in the process (in-process-ping-scheduler)  | missed ticks skipped; catch-up at start    |
 * | redis    | a BullMQ job scheduler per source: one job a tick,  | the overdue job is skipped as late; or it  |
 * |          | taken by one process (bullmq-ping-scheduler)        | starts the catch-up                        |
 *
 * Either way a tick is stored in the source's outbox (ping-emitter.ts) and delivered from there.
 */
import type { Logger } from 'pino';
import type { EventLog } from '../../services/broker/event-log.ts';
import type { PingSourceConfig } from '../../services/manifests/runtime-config.ts';

export interface PingScheduler {
  start(): Promise<void>;
  /** Stops firing and waits for the ticks being stored. */
  stop(): Promise<void>;
}

export interface PingSchedulerParts {
  readonly log: EventLog;
  readonly logger: Logger;
}

export type PingSchedulerFactory = (sources: readonly PingSourceConfig[], parts: PingSchedulerParts) => PingScheduler;
