/**
 * Closing a BullMQ worker waits for its jobs and for Redis to answer; with Redis away (or coming
 * back) it may not end. A stop must end: after CLOSE_WAIT_MS the worker's connections are dropped
 * (a job it held is taken up again by a live worker once its lock lapses, so nothing is lost).
 */
import type { Worker } from 'bullmq';

const CLOSE_WAIT_MS = 10_000;

export async function boundedClose(worker: Worker): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), CLOSE_WAIT_MS)));
  const outcome = await Promise.race([worker.close().then(() => 'closed' as const, () => 'failed' as const), waited]);
  clearTimeout(timer);
  if (outcome !== 'closed') await Promise.race([worker.disconnect().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 1000))]);
}
