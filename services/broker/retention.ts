/** Applies each broker's retention on a timer. Trimming never removes what a trigger has yet to deliver (event-log.ts). */
import type { Logger } from 'pino';
import type { BrokerConfig } from '../manifests/runtime-config.ts';
import type { EventLog } from './event-log.ts';

export function startRetention(log: EventLog, brokers: Iterable<BrokerConfig>, logger: Logger, everyMs = 60_000): () => void {
  const retained = [...brokers].filter((b) => b.retention.maxAgeMs !== undefined || b.retention.maxCount !== undefined);
  if (retained.length === 0) return () => undefined;
  let running = false;
  const run = async () => {
    if (running) return;
    running = true;
    try {
      for (const broker of retained) {
        const removed = await log.trim(broker.key, broker.retention);
        if (removed > 0) logger.info({ broker: broker.key, removed }, 'retention removed events');
      }
    } catch (error) {
      logger.warn({ err: error }, 'retention failed; it runs again on the next tick');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void run(), everyMs);
  timer.unref();
  void run();
  return () => clearInterval(timer);
}
