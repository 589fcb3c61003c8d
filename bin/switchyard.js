#!/usr/bin/env node
// The `switchyard` command. It runs the compiled JavaScript in dist/ (built by `npm install` and
// before the tests); in a checkout that has not been built yet, it runs the TypeScript sources
// through tsx instead.
import { existsSync } from 'node:fs';
import v8 from 'node:v8';

// The old generation may grow by 30% of what survives a full collection before the next one, not
// V8's adaptive factor of up to 4x (read at each collection, so it applies though set after start;
// young-generation sizes do not, they are fixed when the heap is made). Measured on 4 s of single
// events then 4 s of batches of 100: peak resident memory 177-194 MB over five runs with it,
// 179-260 MB without, the old generation reaching 99 MB of mostly garbage in one run in four;
// batches ran ~10% slower (docs/benchmarks.md).
v8.setFlagsFromString('--heap-growing-percent=30');

const compiled = new URL('../dist/services/cli/main.js', import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../services/cli/main.ts');
}
