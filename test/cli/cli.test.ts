/** The `switchyard` command, run as a child process the way a user runs it. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, type RunningCli, runCli, startCli } from '../support/cli.ts';
import { ONE_BROKER } from '../support/platform.ts';
import { tempDir } from '../support/temp-dir.ts';

describe('help and usage', () => {
  it.each(['run', 'validate', 'send', 'events', 'dlq', 'explain'])('switchyard %s --help explains the command and exits 0', async (command) => {
    const result = await runCli([command, '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^Usage: switchyard ${command}`));
    expect(result.stdout).toContain('Example');
  });

  it('switchyard --help lists every command', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    for (const command of ['run', 'validate', 'send', 'events', 'dlq', 'explain']) expect(result.stdout).toContain(`  ${command} `);
  });

  it('Exit codes as documented: no arguments exits 2 with the usage on stderr', async () => {
    const result = await runCli([]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^Usage: switchyard COMMAND/);
  });

  it('Exit codes as documented: --version prints the version of the package', async () => {
    const { version } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
    const result = await runCli(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(`switchyard ${version} (switchyard-eventing, Node.js ${process.version}, from dist/)`);
  });

  it('Exit codes as documented: dlq redrive and purge without a selection exit 2 before asking the platform', async () => {
    for (const sub of ['redrive', 'purge']) {
      const result = await runCli(['dlq', sub, '--url', 'http://127.0.0.1:9']);
      expect(result.code, sub).toBe(2);
      expect(result.stderr).toContain(`error SWY_USAGE: dlq ${sub} needs a selection`);
    }
  });

  it('Exit codes as documented: events prints no header before an error', async () => {
    const result = await runCli(['events', '--broker', 'default/default', '--url', 'http://127.0.0.1:9']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('SWY_PLATFORM_UNREACHABLE');
  });

  it('an unknown command exits 2 with SWY_USAGE', async () => {
    const result = await runCli(['launch']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error SWY_USAGE: unknown command "launch"');
  });

  it('an unknown flag exits 2 and points at --help', async () => {
    const result = await runCli(['validate', '--fiel', 'x.yaml']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/error SWY_USAGE: .*--fiel.*see switchyard validate --help/);
  });
});

describe('switchyard validate', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  it('exits 0 with a one-line summary for valid manifests', async () => {
    const result = await runCli(['validate', '-f', 'examples/quickstart']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe('valid: 3 files, 1 broker, 3 triggers, 3 functions, 0 ping sources, 0 webhook sources');
  });

  it('exits 1 listing every problem as FILE:LINE:COL Kind/name field: message', async () => {
    const file = join(dir.path, 'bad.yaml');
    writeFileSync(file, 'apiVersion: eventing.knative.dev/v1\nkind: Trigger\nmetadata:\n  name: t\nspec:\n  subscriber:\n    uri: nowhere\n');
    const result = await runCli(['validate', '-f', file]);
    expect(result.code).toBe(1);
    expect(result.stdout.trim().split('\n')).toEqual([
      `${file}:5:1 Trigger/t spec.broker: is missing (expected a string)`,
      `${file}:7:10 Trigger/t spec.subscriber.uri: is the relative URI "nowhere" without a ref (expected an absolute URL like http://host/path, or a ref to resolve it against)`,
    ]);
    expect(result.stderr).toContain('2 problems in 1 file');
  });

  it('run refuses invalid manifests, prints the problems and starts nothing', async () => {
    const file = join(dir.path, 'bad-run.yaml');
    writeFileSync(file, 'apiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata:\n  name: Bad_Name\n');
    const result = await runCli(['run', '-f', file, '--port', '0', '--store', `sqlite:${join(dir.path, 's.db')}`]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${file}:4:9 Broker/Bad_Name metadata.name`);
    expect(result.stderr).toContain('error SWY_CONFIG_INVALID');
  });

  it('run refuses a store URL it does not understand', async () => {
    const result = await runCli(['run', '-f', 'examples/quickstart', '--store', 'postgres://x']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error SWY_STORE_URL_INVALID');
  });
});

describe('switchyard run, send and events', () => {
  const dir = tempDir();
  let platform: RunningCli;

  beforeAll(async () => {
    const manifests = join(dir.path, 'broker.yaml');
    writeFileSync(manifests, ONE_BROKER);
    platform = await startCli(['-f', manifests, '--store', `sqlite:${join(dir.path, 'store.db')}`]);
  });
  afterAll(async () => {
    await platform.stop();
    dir.remove();
  });

  it('run prints each broker address', () => {
    expect(platform.output().stdout).toContain(`Broker default/default  ${platform.url}/default/default`);
  });

  it('send publishes in binary mode and prints the outcome', async () => {
    const result = await runCli(['send', '--broker', 'default/default', '--url', platform.url, '--type', 'com.example.cli', '--id', 'cli-1', '--data', '{"n":1}', '--ext', 'region=eu']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`202 Accepted: event cli-1 (com.example.cli) to ${platform.url}/default/default`);
  });

  it('send --structured with SWITCHYARD_URL and data from a file', async () => {
    const file = join(dir.path, 'note.txt');
    writeFileSync(file, 'plain text');
    const result = await runCli(['send', '--broker', 'default/default', '--type', 'com.example.file', '--id', 'cli-2', '--data', `@${file}`, '--structured'], {
      env: { SWITCHYARD_URL: platform.url },
    });
    expect(result.code).toBe(0);
  });

  it('events lists what was stored; --limit keeps the newest; --output json is the JSON event format', async () => {
    const table = await runCli(['events', '--broker', 'default/default', '--url', platform.url]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^OFFSET {2}STORED {20}TYPE +SOURCE +ID\n/);
    expect(table.stdout).toMatch(/com\.example\.cli +\/switchyard\/cli +cli-1/);

    const json = await runCli(['events', '--broker', 'default/default', '--url', platform.url, '--limit', '1', '--output', 'json']);
    expect(json.code).toBe(0);
    const lines = json.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] as string)).toMatchObject({ id: 'cli-2', datacontenttype: 'text/plain', data: 'plain text' });
  });

  it('Names without a namespace: send --broker NAME and events --broker NAME mean default/NAME; an unknown broker lists those that exist', async () => {
    const sent = await runCli(['send', '--broker', 'default', '--url', platform.url, '--type', 'com.example.short', '--id', 'short-1']);
    expect(sent.code).toBe(0);
    expect(sent.stdout).toContain(`to ${platform.url}/default/default`);
    const listed = await runCli(['events', '--broker', 'default', '--url', platform.url, '--output', 'json']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain('"id":"short-1"');
    const unknown = await runCli(['events', '--broker', 'shop', '--url', platform.url]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('SWY_BROKER_NOT_FOUND no broker default/shop is configured (expected one of: default/default)');
    const bad = await runCli(['events', '--broker', 'a/b/c', '--url', platform.url]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--broker a/b/c is not NAME or NAMESPACE/NAME');
  });

  it('send exits 1 with the platform code when the event is refused', async () => {
    const result = await runCli(['send', '--url', `${platform.url}/default/missing`, '--type', 'x']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/error SWY_PUBLISH_REFUSED: .*404 SWY_BROKER_NOT_FOUND/);
  });

  it('send refuses data that is not JSON before sending anything', async () => {
    const result = await runCli(['send', '--broker', 'default/default', '--url', platform.url, '--type', 'x', '--data', '{oops']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--data is not valid JSON');
  });

  it('events exits 1 with SWY_PLATFORM_UNREACHABLE when nothing listens', async () => {
    const result = await runCli(['events', '--broker', 'default/default', '--url', 'http://127.0.0.1:9']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error SWY_PLATFORM_UNREACHABLE');
  });
});

/** A broker and a trigger whose subscriber is a ref to the Knative Service my-service, plus `path`. */
function serviceRefManifests(dir: string, path: string): string {
  const file = join(dir, 'm.yaml');
  writeFileSync(
    file,
    `${ONE_BROKER}---
apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata: { name: t }
spec:
  broker: default
  subscriber:
    ref: { apiVersion: serving.knative.dev/v1, kind: Service, name: my-service }
    uri: ${path}
`,
  );
  return file;
}

describe('switchyard run --service-url', () => {
  it('delivers a Service ref to the URL given for it on the command line', async () => {
    const { startHttpSink } = await import('../support/http-sink.ts');
    const { waitFor } = await import('../support/wait-for.ts');
    const sink = await startHttpSink();
    const dir = tempDir();
    try {
      const manifests = serviceRefManifests(dir.path, '/hook');
      const running = await startCli(['-f', manifests, '--store', `sqlite:${join(dir.path, 's.db')}`, '--service-url', `my-service=${sink.url}`]);
      try {
        await runCli(['send', '--broker', 'default/default', '--url', running.url, '--type', 'x', '--id', 'svc-1']);
        const received = await waitFor(() => sink.received[0], 'the delivery');
        expect(received.url).toBe('/hook');
        expect(received.headers['ce-id']).toBe('svc-1');
      } finally {
        await running.stop();
      }
    } finally {
      await sink.close();
      dir.remove();
    }
  });
});

describe('switchyard run --config', () => {
  it('takes its settings from the file (store, destinations), with flags winning over it', async () => {
    const { startHttpSink } = await import('../support/http-sink.ts');
    const { waitFor } = await import('../support/wait-for.ts');
    const sink = await startHttpSink();
    const dir = tempDir();
    try {
      const manifests = serviceRefManifests(dir.path, '/from-config');
      const config = join(dir.path, 'switchyard.yaml');
      // Port 1 cannot be listened on here: startCli's --port 0 must win over it.
      writeFileSync(
        config,
        `apiVersion: switchyard.dev/v1alpha1
kind: PlatformConfig
spec:
  port: 1
  store: sqlite:${join(dir.path, 'from-config.db')}
  destinations:
    services:
      default/my-service: ${sink.url}
`,
      );
      const running = await startCli(['-f', manifests, '--config', config]);
      try {
        expect(running.output().stdout).toContain(`(store sqlite:${join(dir.path, 'from-config.db')})`);
        await runCli(['send', '--broker', 'default/default', '--url', running.url, '--type', 'x', '--id', 'cfg-1']);
        const received = await waitFor(() => sink.received[0], 'the delivery');
        expect(received.url).toBe('/from-config');
        expect(received.headers['ce-id']).toBe('cfg-1');
      } finally {
        await running.stop();
      }
      writeFileSync(config, 'apiVersion: switchyard.dev/v1alpha1\nkind: PlatformConfig\nspec:\n  logLevel: loud\n');
      const refused = await runCli(['run', '-f', manifests, '--config', config]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`${config}:4:13 PlatformConfig spec.logLevel: is "loud"`);
      expect(refused.stderr).toContain('error SWY_CONFIG_INVALID');
      const validated = await runCli(['validate', '-f', manifests, '--config', config]);
      expect(validated.code).toBe(1);
      expect(validated.stdout).toContain(`${config}:4:13 PlatformConfig spec.logLevel`);
    } finally {
      await sink.close();
      dir.remove();
    }
  });
});

describe('switchyard validate with a PingSource', () => {
  it('explains the schedule in words, with its time zone, and the next three fire times', async () => {
    const dir = tempDir();
    try {
      const file = join(dir.path, 'ping.yaml');
      writeFileSync(
        file,
        `apiVersion: sources.knative.dev/v1
kind: PingSource
metadata: { name: every-other-hour }
spec:
  schedule: "0 */2 * * *"
  timezone: Etc/GMT-2
  sink: { uri: "http://localhost:9000" }
`,
      );
      const result = await runCli(['validate', '-f', file]);
      expect(result.code).toBe(0);
      const line = result.stdout.split('\n').find((l) => l.startsWith('PingSource')) ?? '';
      expect(line).toMatch(/^PingSource default\/every-other-hour: On the hour, every 2 hours, Etc\/GMT-2; next: \S+, \S+, \S+$/);
      const times = (line.split('next: ')[1] ?? '').split(', ').map((t) => Date.parse(t));
      expect(times[1]! - times[0]!).toBe(2 * 3600_000);
      expect(times[2]! - times[1]!).toBe(2 * 3600_000);
      expect(times[0]! - Date.now()).toBeLessThanOrEqual(2 * 3600_000);
      // Even hours of a zone two hours ahead of UTC (no daylight saving there): even hours in UTC.
      expect(new Date(times[0]!).getUTCHours() % 2).toBe(0);
    } finally {
      dir.remove();
    }
  });
});
