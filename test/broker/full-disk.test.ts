/**
 * A real full disk (a small tmpfs the test fills): health tells the truth, and nothing answered
 * 202 is lost across the campaign's sequence (disk full, stop, restart on the full disk, publish,
 * kill -9, free space, restart), run several times. Mounting a tmpfs needs root: on a machine where
 * the tests do not run as root these are skipped, and say so.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { deferredCleanups } from '../support/cleanups.ts';
import { type RunningCli, startCli } from '../support/cli.ts';
import { ONE_BROKER, startTestPlatform } from '../support/platform.ts';
import { smallFilesystem, smallFilesystemAvailable } from '../support/small-filesystem.ts';
import { tempDir } from '../support/temp-dir.ts';
import { waitFor } from '../support/wait-for.ts';

const defer = deferredCleanups();
const MB = 1024 * 1024;
const PAYLOAD = Buffer.alloc(4000, 7);

/** Publishes `count` events one after another; resolves with the ids answered 202 and the statuses seen. */
async function publish(url: string, ids: Iterable<string>): Promise<{ acked: string[]; statuses: Set<number> }> {
  const acked: string[] = [];
  const statuses = new Set<number>();
  for (const id of ids) {
    try {
      const response = await fetch(`${url}/default/default`, {
        method: 'POST',
        headers: { 'ce-specversion': '1.0', 'ce-id': id, 'ce-source': '/disk', 'ce-type': 't', 'content-type': 'application/octet-stream' },
        body: PAYLOAD,
      });
      statuses.add(response.status);
      if (response.status === 202) acked.push(id);
    } catch {
      statuses.add(0);
    }
  }
  return { acked, statuses };
}

const range = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}-${i}`);

describe.skipIf(!smallFilesystemAvailable())('A full disk (needs root to mount a tmpfs; skipped when the tests do not run as root)', () => {
  it('Health tells the truth: publishes get 503, /readyz answers 503 with the reason, the failure is logged once, and it recovers by itself once space is freed', async () => {
    const fs = smallFilesystem(16 * MB);
    defer(() => fs.remove());
    const lines: Array<{ level: number; msg: string; failures?: number }> = [];
    const platform = await startTestPlatform(undefined, { store: `sqlite:${join(fs.path, 'store.db')}`, logger: pino({ level: 'warn' }, { write: (line: string) => lines.push(JSON.parse(line)) }) });
    defer(() => platform.stop());
    expect((await publish(platform.url, range('before', 100))).statuses).toEqual(new Set([202]));
    fs.fill();
    const full = await publish(platform.url, range('full', 3000));
    expect(full.statuses).toContain(503);
    const ready = await fetch(`${platform.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.headers.get('retry-after')).toBe('5');
    expect(((await ready.json()) as { reason: string }).reason).toMatch(/^the store cannot commit: commits fail since .*: database or disk is full$/);
    const errors = lines.filter((line) => line.level >= 50 && /cannot commit/.test(line.msg));
    // Logged at once, then at most once per 10 s however many commits fail.
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(errors.length).toBeLessThanOrEqual(2);
    fs.free();
    // No traffic needed: a probe commit finds the space.
    await waitFor(async () => (await fetch(`${platform.url}/readyz`)).status === 200, '/readyz to say ready again', 10_000, 100);
    expect((await publish(platform.url, range('after', 10))).statuses).toEqual(new Set([202]));
    expect(lines.some((line) => line.msg === 'the store commits again')).toBe(true);
  }, 60_000);

  // SWITCHYARD_FULL_DISK_ROUNDS=50 runs the campaign's sequence longer (as it was, once, for the issue).
  const rounds = Number(process.env['SWITCHYARD_FULL_DISK_ROUNDS'] ?? 5);
  it(`Full disk and kill -9: disk full, stop, restart on the full disk, publish, kill -9, free space, restart loses nothing answered 202 (${rounds} rounds)`, async () => {
    const dir = tempDir();
    defer(() => dir.remove());
    const manifests = join(dir.path, 'broker.yaml');
    writeFileSync(manifests, ONE_BROKER);
    for (let round = 0; round < rounds; round++) {
      const fs = smallFilesystem(16 * MB);
      defer(() => fs.remove());
      const args = ['-f', manifests, '--store', `sqlite:${join(fs.path, 'store.db')}`];
      const acked: string[] = [];
      let platform: RunningCli = await startCli(args);
      acked.push(...(await publish(platform.url, range(`r${round}-before`, 200))).acked);
      fs.fill();
      acked.push(...(await publish(platform.url, range(`r${round}-full`, 1500))).acked);
      await platform.stop();
      platform = await startCli(args);
      // Publishing on the full disk with requests in flight when the process is killed.
      const inFlight = publish(platform.url, range(`r${round}-killed`, 300));
      await new Promise((resolve) => setTimeout(resolve, 100 + round * 50));
      await platform.kill();
      acked.push(...(await inFlight).acked);
      fs.free();
      platform = await startCli(args);
      const listed = (await (await fetch(`${platform.url}/api/v1/brokers/default/default/events?after=0&limit=100000`)).json()) as { events: Array<{ event: { id: string } }> };
      const ids = new Set(listed.events.map((entry) => entry.event.id));
      expect(acked.filter((id) => !ids.has(id)), `round ${round}: acknowledged events missing after the restart`).toEqual([]);
      await platform.stop();
    }
  }, 60_000 * Math.max(4, rounds));
});
