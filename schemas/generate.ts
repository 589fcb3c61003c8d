/**
 * Generates the JSON Schema of every resource kind, and of the platform configuration file, from
 * its zod schema into schemas/json/, for editors (`# yaml-language-server: $schema=…`). `--check` only compares and exits 1 when the
 * committed files are stale; test/schemas/json-schema.test.ts does the same in the test suite.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { platformConfigSchema } from './platform-config.schema.ts';
import { resourceKinds } from './resources.ts';

export const jsonSchemaDir = fileURLToPath(new URL('./json/', import.meta.url));

/** File name → contents of every generated schema. */
export function generateJsonSchemas(): Map<string, string> {
  const files = new Map<string, string>();
  const all: object[] = [];
  for (const kind of resourceKinds) {
    const schema = z.toJSONSchema(kind.schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
    const document = { title: `${kind.kind} (${kind.apiVersion})`, ...schema };
    files.set(kind.jsonSchemaFile, `${JSON.stringify(document, null, 2)}\n`);
    all.push({ $ref: `./${kind.jsonSchemaFile}` });
  }
  const manifest = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'Any Switchyard manifest',
    anyOf: all,
  };
  files.set('manifest.schema.json', `${JSON.stringify(manifest, null, 2)}\n`);
  const config = z.toJSONSchema(platformConfigSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  files.set('platform-config.schema.json', `${JSON.stringify({ title: 'PlatformConfig (switchyard.dev/v1alpha1): switchyard run --config', ...config }, null, 2)}\n`);
  return files;
}

/** Names of the committed files that differ from what the zod schemas generate. */
export function staleJsonSchemas(): string[] {
  const stale: string[] = [];
  for (const [name, contents] of generateJsonSchemas()) {
    let committed = '';
    try {
      committed = readFileSync(`${jsonSchemaDir}${name}`, 'utf8');
    } catch {
      committed = '';
    }
    if (committed !== contents) stale.push(name);
  }
  return stale;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--check')) {
    const stale = staleJsonSchemas();
    if (stale.length > 0) {
      console.error(`stale JSON Schema: ${stale.join(', ')}; run npm run schemas`);
      process.exit(1);
    }
    console.log('JSON Schemas are up to date');
  } else {
    for (const [name, contents] of generateJsonSchemas()) writeFileSync(`${jsonSchemaDir}${name}`, contents);
    console.log(`wrote ${[...generateJsonSchemas().keys()].join(', ')} to schemas/json/`);
  }
}
