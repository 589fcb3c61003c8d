#!/usr/bin/env node
// The `switchyard` command. It runs the compiled JavaScript in dist/. In a checkout (it has a
// tsconfig.json; an installed package has not, and its files' times say nothing: npm writes them
// as it unpacks), dist/ is used only when it is at least as new as every TypeScript source;
// otherwise (not built yet, or sources edited since the last build) the sources run through tsx,
// so that a command never runs stale code and never rebuilds dist/ itself (the tests may be
// using it).
import { existsSync, readdirSync, statSync } from 'node:fs';
import v8 from 'node:v8';

// The old generation may grow by 30% of what survives a full collection before the next one, not
// V8's adaptive factor of up to 4x (read at each collection, so it applies though set after start;
// young-generation sizes do not, they are fixed when the heap is made). Measured on 4 s of single
// events then 4 s of batches of 100: peak resident memory 177-194 MB over five runs with it,
// 179-260 MB without, the old generation reaching 99 MB of mostly garbage in one run in four;
// batches ran ~10% slower (docs/benchmarks.md).
v8.setFlagsFromString('--heap-growing-percent=30');

const root = new URL('../', import.meta.url);
const compiled = new URL('dist/services/cli/main.js', root);

/** Whether a .ts file under the source folders changed after `builtAt` (about 150 stats, ~2 ms). */
function sourcesNewerThan(builtAt) {
  for (const folder of ['services', 'schemas', 'sources']) {
    let names;
    try {
      names = readdirSync(new URL(`${folder}/`, root), { recursive: true });
    } catch {
      continue;
    }
    for (const name of names) {
      if (name.endsWith('.ts') && statSync(new URL(`${folder}/${name}`, root)).mtimeMs > builtAt) return true;
    }
  }
  return false;
}

const builtAt = statSync(compiled, { throwIfNoEntry: false })?.mtimeMs;
const checkout = existsSync(new URL('tsconfig.json', root));
if (builtAt !== undefined && !(checkout && sourcesNewerThan(builtAt))) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../services/cli/main.ts');
}
