/**
 * The package outside a clone: its name is not the registry's unrelated `switchyard`, and the
 * README's "Outside a clone" block works as written: `npm pack` in a clone, `npm install -g` of the
 * tarball (into a private prefix: npm_config_prefix), then the installed `switchyard` command runs
 * from any folder, on the dependency versions of the lock file (the tarball's npm-shrinkwrap.json).
 * The clone is a copy, so that `npm pack` (which builds dist/) does not rebuild the dist/ other
 * tests are running.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO } from './support/cli.ts';
import { missingOutput, readmeBlocks, shellCommands } from './support/readme-blocks.ts';
import { tempDir } from './support/temp-dir.ts';
import { waitFor } from './support/wait-for.ts';

const dir = tempDir('switchyard-package-');
afterAll(() => dir.remove());

const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { name: string; version: string; bin: Record<string, string> };
const clone = join(dir.path, 'clone');
const prefix = join(dir.path, 'prefix');
const env = { ...process.env, npm_config_prefix: prefix, npm_config_audit: 'false', npm_config_fund: 'false', PATH: `${join(prefix, 'bin')}:${process.env['PATH'] ?? ''}` };

function run(command: string, cwd: string): Promise<{ code: number | null; lines: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', command], { cwd, env });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, lines: output.split('\n') }));
  });
}

describe('The package name', () => {
  it('is switchyard-eventing, not the registry\'s unrelated switchyard, and installs the switchyard command', () => {
    expect(pkg.name).toBe('switchyard-eventing');
    expect(Object.keys(pkg.bin)).toEqual(['switchyard']);
  });

  it('the README\'s "Outside a clone" block works as written: npm pack, npm install -g, switchyard from any folder', async () => {
    const block = readmeBlocks(readFileSync(join(REPO, 'README.md'), 'utf8')).find((b) => b.lang === 'sh' && shellCommands(b.body)[0]?.text.startsWith('npm pack'));
    expect(block).toBeDefined();
    mkdirSync(clone);
    for (const entry of ['bin', 'services', 'schemas', 'sources', 'examples', 'README.md', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json']) {
      cpSync(join(REPO, entry), join(clone, entry), { recursive: true });
    }
    // npm pack builds dist/ first (prepare); the compiler comes from the checkout's node_modules.
    symlinkSync(join(REPO, 'node_modules'), join(clone, 'node_modules'));
    for (const command of shellCommands(block?.body ?? '')) {
      const { code, lines } = await run(command.text, clone);
      expect(code, `${command.text}\n${lines.join('\n')}`).toBe(0);
      expect(missingOutput(command.expected, lines), `${command.text} printed:\n${lines.join('\n')}`).toEqual([]);
    }
    const installed = join(prefix, 'lib', 'node_modules', pkg.name);
    // The exact versions the tests ran with: the lock file, shipped as npm-shrinkwrap.json.
    expect(existsSync(join(installed, 'npm-shrinkwrap.json'))).toBe(true);
    expect(existsSync(join(clone, 'npm-shrinkwrap.json'))).toBe(false);

    // From a folder that is no clone: validate, then run the packaged quickstart and stop it.
    const elsewhere = join(dir.path, 'elsewhere');
    mkdirSync(elsewhere);
    const validated = await run(`switchyard validate -f ${join(installed, 'examples', 'quickstart')}`, elsewhere);
    expect(validated.lines[0]).toBe('valid: 3 files, 1 broker, 3 triggers, 3 functions, 0 ping sources, 0 webhook sources');
    const platform: ChildProcess = spawn('switchyard', ['run', '-f', join(installed, 'examples', 'quickstart'), '--port', '0'], { cwd: elsewhere, env });
    let output = '';
    platform.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    platform.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const url = await waitFor(() => /Switchyard is ready on (http:\/\/\S+)/.exec(output)?.[1], 'the installed platform to be ready', 30_000);
    const published = await fetch(`${url}/default/default`, {
      method: 'POST',
      headers: { 'ce-specversion': '1.0', 'ce-id': 'installed-1', 'ce-source': '/shop', 'ce-type': 'com.example.order.created', 'content-type': 'application/json' },
      body: '{"order": 1}',
    });
    expect(published.status).toBe(202);
    // The Function ran in the installed package and replied.
    await waitFor(async () => ((await (await fetch(`${url}/api/v1/brokers/default/default/events`)).json()) as { events: unknown[] }).events.length === 2, 'the reply');
    platform.kill('SIGTERM');
    expect(await new Promise((resolve) => platform.on('exit', resolve))).toBe(0);
    expect(existsSync(join(elsewhere, '.switchyard', 'switchyard.db'))).toBe(true);
  }, 300_000);
});
