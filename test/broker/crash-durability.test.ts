/**
 * Nothing answered 202 is lost: a child `switchyard run` is sent 5,000 events concurrently and
 * killed with SIGKILL midway; after a restart on the same store every event that got a 202 is
 * there (by id), and nothing is there that was never sent.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningCli, startCli } from '../support/cli.ts';
import { ONE_BROKER } from '../support/platform.ts';
import { tempDir } from '../support/temp-dir.ts';

const TOTAL = 5000;
const CONCURRENCY = 50;
// 16 KB events make each group commit take milliseconds: with 200-byte events a platform that
// answered 202 before committing still passed this test (the window was too short to hit);
// with 16 KB it fails every time.
const PADDING = 16_000;

let dir: ReturnType<typeof tempDir> | undefined;
let running: RunningCli | undefined;
afterEach(async () => {
  if (running) await running.kill().catch(() => undefined);
  dir?.remove();
});

describe('durability across kill -9', () => {
  it('every event answered 202 before SIGKILL is in the log after a restart, and none was invented', async () => {
    dir = tempDir();
    const manifests = join(dir.path, 'broker.yaml');
    writeFileSync(manifests, ONE_BROKER);
    const args = ['-f', manifests, '--store', `sqlite:${join(dir.path, 'store.db')}`];
    running = await startCli(args);
    const target = `${running.url}/default/default`;

    const sent = new Set<string>();
    const accepted = new Set<string>();
    let next = 0;
    let killed = false;
    const killAt = TOTAL / 2;
    const sender = async () => {
      while (next < TOTAL) {
        const id = `crash-${next++}`;
        sent.add(id);
        try {
          const response = await fetch(target, {
            method: 'POST',
            headers: { 'ce-specversion': '1.0', 'ce-id': id, 'ce-source': '/crash-test', 'ce-type': 'com.example.crash', 'content-type': 'application/json' },
            body: JSON.stringify({ id, padding: 'x'.repeat(PADDING) }),
          });
          await response.arrayBuffer();
          if (response.status === 202) accepted.add(id);
        } catch {
          // Refused connections after the kill: those events were never accepted.
        }
        if (!killed && accepted.size >= killAt) {
          killed = true;
          await running?.kill();
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, sender));
    expect(killed).toBe(true);
    expect(accepted.size).toBeGreaterThanOrEqual(killAt);

    running = await startCli(args);
    const stored: string[] = [];
    let after = '0';
    for (;;) {
      const response = await fetch(`${running.url}/api/v1/brokers/default/default/events?after=${after}&limit=1000`);
      const page = (await response.json()) as { events: Array<{ offset: string; event: { id: string } }> };
      stored.push(...page.events.map((e) => e.event.id));
      if (page.events.length < 1000) break;
      after = page.events[page.events.length - 1]?.offset ?? after;
    }
    const storedSet = new Set(stored);
    const lost = [...accepted].filter((id) => !storedSet.has(id));
    const invented = stored.filter((id) => !sent.has(id));
    expect(lost).toEqual([]);
    expect(invented).toEqual([]);
    expect(storedSet.size).toBe(stored.length);
    expect(await running.stop()).toBe(0);
    running = undefined;
  }, 120_000);
});
