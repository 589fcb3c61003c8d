/**
 * PingSource on the Redis engine: two `switchyard run` processes share one BullMQ job scheduler
 * per source, so each tick fires once, and ticks keep coming when one process is killed.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningCli, startCli } from '../../support/cli.ts';
import { startHttpSink } from '../../support/http-sink.ts';
import { type TestRedis, startRedis } from '../../support/redis-server.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { waitFor } from '../../support/wait-for.ts';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => redis.stop());

describe('PingSource on Redis', () => {
  it('two processes: 60 ticks of a per-second schedule give 60 events, and none is lost when one process is killed half-way', { timeout: 120_000 }, async () => {
    const sink = await startHttpSink();
    const dir = tempDir();
    const running: RunningCli[] = [];
    try {
      const file = join(dir.path, 'ping.yaml');
      writeFileSync(
        file,
        `apiVersion: sources.knative.dev/v1
kind: PingSource
metadata: { name: every-second }
spec:
  schedule: "* * * * * *"
  sink: { uri: "${sink.url}" }
`,
      );
      const prefix = redis.freshPrefix();
      for (const consumer of ['a', 'b']) running.push(await startCli(['-f', file, '--store', redis.storeUrl({ prefix, consumer, claimIdleMs: 2000 })]));
      const tickTimes = () => sink.received.map((r) => Date.parse(String(r.headers['ce-time'])));
      // The window: 60 whole seconds, starting once both processes run.
      const start = Math.ceil(Date.now() / 1000) * 1000 + 1000;
      const end = start + 60_000;
      await waitFor(() => Date.now() > start + 30_000, 'half the window', 40_000, 200);
      await running[0]?.kill();
      await waitFor(() => tickTimes().some((t) => t >= end), 'a tick after the window', 60_000, 200);
      // Deliveries of the last ticks may still be on their way.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const inWindow = tickTimes().filter((t) => t >= start && t < end);
      const unique = new Set(inWindow);
      const missing = Array.from({ length: 60 }, (_, i) => start + i * 1000).filter((t) => !unique.has(t));
      expect(missing.map((t) => new Date(t).toISOString()), 'ticks lost').toEqual([]);
      // Each tick once; after a kill at most the tick the dead process held is delivered twice.
      expect(inWindow.length - unique.size).toBeLessThanOrEqual(1);
      const beforeKill = inWindow.filter((t) => t < start + 29_000);
      expect(beforeKill.length).toBe(new Set(beforeKill).size);
    } finally {
      for (const cli of running) await cli.kill().catch(() => undefined);
      await sink.close();
      dir.remove();
    }
  });
});
