/** Starts a real platform in this process on a free port, with its store in a temp folder. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { loadManifests } from '../../services/manifests/load-manifests.ts';
import { compileConfig } from '../../services/manifests/runtime-config.ts';
import { type PlatformOptions, type RunningPlatform, startPlatform } from '../../services/platform.ts';
import { tempDir } from './temp-dir.ts';

export const ONE_BROKER = `
apiVersion: eventing.knative.dev/v1
kind: Broker
metadata:
  name: default
  namespace: default
`;

/** The broker default/default and one trigger of it delivering to `subscriber` (with a `delivery` block as flow YAML). */
export function brokerWithTrigger(trigger: string, subscriber: string, delivery?: string): string {
  return `apiVersion: eventing.knative.dev/v1
kind: Broker
metadata: { name: default }
---
apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata: { name: ${trigger} }
spec:
  broker: default
  subscriber: { uri: "${subscriber}" }
${delivery === undefined ? '' : `  delivery: ${delivery}\n`}`;
}

export interface TestPlatform extends RunningPlatform {
  readonly dir: string;
  stop(): Promise<void>;
}

/** `files` are written beside the manifests first (Function handlers, say). */
export async function startTestPlatform(manifests = ONE_BROKER, options: Partial<PlatformOptions> = {}, files: Record<string, string> = {}): Promise<TestPlatform> {
  const dir = tempDir();
  for (const [name, contents] of Object.entries(files)) writeFileSync(join(dir.path, name), contents);
  const file = join(dir.path, 'manifests.yaml');
  writeFileSync(file, manifests);
  const loaded = loadManifests([file]);
  if (loaded.problems.length > 0) throw new Error(`test manifests are invalid: ${JSON.stringify(loaded.problems)}`);
  let platform: RunningPlatform;
  try {
    platform = await startPlatform(compileConfig(loaded), {
      host: '127.0.0.1',
      port: 0,
      store: `sqlite:${join(dir.path, 'store.db')}`,
      logger: pino({ level: 'silent' }),
      ...options,
    });
  } catch (error) {
    dir.remove();
    throw error;
  }
  return {
    ...platform,
    dir: dir.path,
    async stop() {
      await platform.close();
      dir.remove();
    },
  };
}
