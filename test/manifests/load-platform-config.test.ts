import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatProblem } from '../../services/manifests/config-problem.ts';
import { loadPlatformConfig } from '../../services/manifests/load-platform-config.ts';
import { tempDir } from '../support/temp-dir.ts';

const EXAMPLE = fileURLToPath(new URL('../../examples/platform-config.yaml', import.meta.url));
const dir = tempDir();
function file(text: string): string {
  const path = join(dir.path, `config-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(path, text);
  return path;
}

describe('the platform configuration file', () => {
  it('the example loads with every setting', () => {
    const { settings, problems } = loadPlatformConfig(EXAMPLE);
    expect(problems).toEqual([]);
    expect(settings).toEqual({
      host: '127.0.0.1',
      port: 8080,
      store: 'sqlite:.switchyard/switchyard.db',
      bodyLimit: 1024 * 1024,
      logLevel: 'info',
      requestTimeoutMs: 30_000,
      maxConnections: 4096,
      urlTemplate: 'http://{name}.{namespace}.svc.cluster.local',
      services: new Map([['event-display', 'http://localhost:9000']]),
      adminTokens: undefined,
      readTokens: undefined,
      redriveHosts: undefined,
      folder: dirname(EXAMPLE),
    });
  });

  it('reports every problem at once, with file, line, column and field', () => {
    const path = file(`apiVersion: switchyard.dev/v1alpha1
kind: PlatformConfig
spec:
  prot: 8080
  port: 70000
  store: mysql://db
  bodyLimit: lots
  logLevel: chatty
  destinations:
    urlTemplate: http://svc.local
    services:
      event-display: localhost:9000
`);
    const lines = loadPlatformConfig(path).problems.map(formatProblem);
    expect(lines).toEqual([
      `${path}:4:3 PlatformConfig spec.prot: is not a known field (did you mean port? expected one of: host, port, store, bodyLimit, logLevel, requestTimeout, maxConnections, auth, redriveHosts, destinations)`,
      `${path}:5:9 PlatformConfig spec.port: is 70000 (expected at most 65535)`,
      `${path}:6:10 PlatformConfig spec.store: is "mysql://db" is not a store URL (expected sqlite:PATH, like sqlite:.switchyard/switchyard.db, or redis://HOST:PORT)`,
      `${path}:7:14 PlatformConfig spec.bodyLimit: is not a size (expected bytes, or a number with KiB, MiB or GiB, like 1MiB)`,
      `${path}:8:13 PlatformConfig spec.logLevel: is "chatty" (expected one of: "fatal", "error", "warn", "info", "debug", "trace", "silent")`,
      `${path}:10:18 PlatformConfig spec.destinations.urlTemplate: "http://svc.local" has no {name} (expected a URL like http://{name}.{namespace}.svc.cluster.local)`,
      `${path}:12:22 PlatformConfig spec.destinations.services["event-display"]: "localhost:9000" is not an http or https URL (expected like http://localhost:9000)`,
    ]);
  });

  it('refuses a file that is not one PlatformConfig', () => {
    expect(loadPlatformConfig(file('apiVersion: switchyard.dev/v1alpha1\nkind: PlatformConfig\nspec: {}\n---\nkind: Other\n')).problems[0]?.message).toBe('holds 2 documents (expected one PlatformConfig)');
    const broker = loadPlatformConfig(file('apiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata: { name: x }\n')).problems.map((p) => `${p.field}: ${p.message}`);
    expect(broker).toEqual(expect.arrayContaining(['kind: is "Broker" (expected "PlatformConfig")', 'spec: is missing (expected a map)', 'metadata: is not a known field (expected one of: apiVersion, kind, spec)']));
    expect(loadPlatformConfig(join(dir.path, 'missing.yaml')).problems[0]?.message).toMatch(/^cannot be read: ENOENT/);
  });
});
