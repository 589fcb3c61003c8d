/**
 * Functions and paths: a Function's worker sees its `spec.env` and a documented minimal set,
 * never the platform's environment (a WebhookSource's secret variable, say); a handler outside its
 * manifest's folder is refused unless an annotation allows it; a store under /proc, /sys or on a
 * FIFO fails fast with SWY_STORE_OPEN_FAILED.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadManifests } from '../../services/manifests/load-manifests.ts';
import { deferredCleanups } from '../support/cleanups.ts';
import { runCli } from '../support/cli.ts';
import { startHttpSink } from '../support/http-sink.ts';
import { startTestPlatform } from '../support/platform.ts';
import { tempDir } from '../support/temp-dir.ts';
import { waitFor } from '../support/wait-for.ts';

const defer = deferredCleanups();

describe('Functions and paths', () => {
  it("a Function's worker gets only its spec.env and PATH, HOME, TMPDIR, TZ, LANG, LC_ALL, NODE_ENV, not the platform's environment", async () => {
    process.env['SWT_WEBHOOK_SECRET_FOR_ISOLATION'] = 'do-not-leak';
    defer(() => delete process.env['SWT_WEBHOOK_SECRET_FOR_ISOLATION']);
    const sink = await startHttpSink();
    defer(() => sink.close());
    const platform = await startTestPlatform(
      `apiVersion: eventing.knative.dev/v1
kind: Broker
metadata: { name: default }
---
apiVersion: switchyard.dev/v1alpha1
kind: Function
metadata: { name: env }
spec:
  handler: ./env.mjs
  env: { OWN: mine }
---
apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata: { name: in }
spec:
  broker: default
  filter: { attributes: { type: in } }
  subscriber: { ref: { apiVersion: switchyard.dev/v1alpha1, kind: Function, name: env } }
---
apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata: { name: out }
spec:
  broker: default
  filter: { attributes: { type: out } }
  subscriber: { uri: "${sink.url}" }
`,
      {},
      { 'env.mjs': "export default function () { return { type: 'out', data: { names: Object.keys(process.env).sort(), own: process.env.OWN } }; }\n" },
    );
    defer(() => platform.stop());
    await fetch(`${platform.url}/default/default`, { method: 'POST', headers: { 'ce-specversion': '1.0', 'ce-id': '1', 'ce-source': '/s', 'ce-type': 'in' } });
    const reply = await waitFor(() => sink.received[0], 'the reply');
    const { names, own } = JSON.parse(reply.body.toString()) as { names: string[]; own: string };
    expect(own).toBe('mine');
    expect(names).not.toContain('SWT_WEBHOOK_SECRET_FOR_ISOLATION');
    expect(names.filter((name) => !['PATH', 'HOME', 'TMPDIR', 'TZ', 'LANG', 'LC_ALL', 'NODE_ENV', 'SWITCHYARD_FUNCTION_LOG_LEVEL', 'OWN'].includes(name))).toEqual([]);
    expect(names).toContain('PATH');
  });

  it("a handler outside the manifest's folder (by ../ or a symbolic link) is refused at spec.handler unless the annotation allows it", () => {
    const dir = tempDir();
    defer(() => dir.remove());
    const manifests = join(dir.path, 'manifests');
    mkdirSync(manifests);
    writeFileSync(join(dir.path, 'outside.mjs'), 'export default function () {}\n');
    execFileSync('ln', ['-s', join(dir.path, 'outside.mjs'), join(manifests, 'linked.mjs')]);
    const fn = (name: string, handler: string, annotations = '') => `---
apiVersion: switchyard.dev/v1alpha1
kind: Function
metadata:
  name: ${name}
${annotations}
spec:
  handler: ${handler}
`;
    const file = join(manifests, 'functions.yaml');
    writeFileSync(file, fn('up', '../outside.mjs') + fn('link', './linked.mjs') + fn('allowed', '../outside.mjs', '  annotations: { switchyard.dev/handler-outside-folder: "true" }'));
    const loaded = loadManifests([file]);
    expect(loaded.problems.map((p) => `${p.resource} ${p.field}: ${p.message.replace(dir.path, 'DIR')}`)).toEqual([
      `Function/up spec.handler: names DIR/outside.mjs, which is outside the manifest's folder ${manifests} (expected a module inside it, or the annotation switchyard.dev/handler-outside-folder: "true" to allow this one)`,
      `Function/link spec.handler: names DIR/outside.mjs, which is outside the manifest's folder ${manifests} (expected a module inside it, or the annotation switchyard.dev/handler-outside-folder: "true" to allow this one)`,
    ]);
    expect(loaded.functions.map((f) => f.name)).toEqual(['allowed']);
  });

  it.each(['/proc/switchyard.db', '/sys/kernel/switchyard.db', 'FIFO', 'FOLDER'])('a store at %s fails fast with SWY_STORE_OPEN_FAILED and the reason', async (where) => {
    const dir = tempDir();
    defer(() => dir.remove());
    let path = where;
    if (where === 'FIFO') execFileSync('mkfifo', [(path = join(dir.path, 'fifo.db'))]);
    if (where === 'FOLDER') mkdirSync((path = join(dir.path, 'folder.db')));
    const started = Date.now();
    const result = await runCli(['run', '-f', 'examples/quickstart', '--port', '0', '--store', `sqlite:${path}`]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(where.startsWith('/') ? /error SWY_STORE_OPEN_FAILED: cannot open the store: .* is under \/(proc|sys), a kernel file system/ : /error SWY_STORE_OPEN_FAILED: cannot open the store: .* is a (FIFO|folder), not a database file/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
