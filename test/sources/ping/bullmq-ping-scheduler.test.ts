/**
 * The Redis PingSource scheduler across a full stop: the tick job that came due while no process
 * ran is skipped, unless the source's catch-up allows, and then the missed ticks are sent.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisKeys } from '../../../services/broker/redis/redis-keys.ts';
import { bullConnectionOptions } from '../../../services/broker/redis/redis-connection.ts';
import { type RedisLocation, parseStoreUrl } from '../../../services/broker/store-url.ts';
import { loadManifests } from '../../../services/manifests/load-manifests.ts';
import { compileConfig } from '../../../services/manifests/runtime-config.ts';
import { openStores } from '../../../services/open-stores.ts';
import { BullPingScheduler } from '../../../sources/ping/bullmq-ping-scheduler.ts';
import { type TestRedis, startRedis } from '../../support/redis-server.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { waitFor } from '../../support/wait-for.ts';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => redis.stop());

async function ticksAcrossAStop(catchUp: boolean): Promise<{ before: number[]; gap: number[]; stoppedAt: number; restartedAt: number }> {
  const dir = tempDir();
  const file = join(dir.path, 'ping.yaml');
  writeFileSync(
    file,
    `apiVersion: sources.knative.dev/v1
kind: PingSource
metadata:
  name: every-second${catchUp ? '\n  annotations: { switchyard.dev/catch-up: PT1H }' : ''}
spec:
  schedule: "* * * * * *"
  sink: { uri: "http://127.0.0.1:9" }
`,
  );
  const config = compileConfig(loadManifests([file]));
  const location = parseStoreUrl(redis.storeUrl()) as RedisLocation;
  const keys = new RedisKeys(location.prefix);
  const { log, deliveryStore } = await openStores(location);
  const logger = pino({ level: 'silent' });
  const options = { connection: bullConnectionOptions(location), prefix: keys.bullPrefix, queueName: keys.pingQueue, lateMs: 1500 };
  const source = config.pingSources[0]!;
  const times = async () => (await log.list(source.outbox)).map((e) => Date.parse(String(e.event.attributes['time'])));
  try {
    await log.registerBrokers([source.outbox]);
    const first = new BullPingScheduler(config.pingSources, { log, logger }, options);
    await first.start();
    await waitFor(async () => (await times()).length >= 2, 'two ticks', 10_000, 100);
    await first.stop();
    const stoppedAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 3500));
    const restartedAt = Date.now();
    const second = new BullPingScheduler(config.pingSources, { log, logger }, options);
    await second.start();
    await waitFor(async () => (await times()).some((t) => t > restartedAt + 1000), 'ticks after the restart', 10_000, 100);
    await second.stop();
    const all = await times();
    return { before: all.filter((t) => t <= stoppedAt), gap: all.filter((t) => t > stoppedAt + 500 && t < restartedAt - 500), stoppedAt, restartedAt };
  } finally {
    await deliveryStore.close();
    await log.close();
    dir.remove();
  }
}

describe('PingSource on Redis across a full stop', () => {
  it('ticks that fell while nothing ran are not sent by default', { timeout: 40_000 }, async () => {
    const { before, gap } = await ticksAcrossAStop(false);
    expect(before.length).toBeGreaterThanOrEqual(2);
    expect(gap).toEqual([]);
  });

  it('with switchyard.dev/catch-up they are, each with its own tick time', { timeout: 40_000 }, async () => {
    const { gap } = await ticksAcrossAStop(true);
    expect(gap.length).toBeGreaterThanOrEqual(2);
    expect(new Set(gap).size).toBe(gap.length);
  });
});
