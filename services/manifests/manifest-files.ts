/** Expands `-f` arguments: a file, or a folder whose `.yaml`/`.yml` files are read in name order (not recursive, like kubectl). */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigProblem } from './config-problem.ts';

export function expandManifestPaths(paths: readonly string[]): { files: string[]; problems: ConfigProblem[] } {
  const files: string[] = [];
  const problems: ConfigProblem[] = [];
  const problem = (file: string, message: string) => problems.push({ file, line: 1, column: 1, resource: '-', field: '(file)', message });
  for (const path of paths) {
    let stat;
    try {
      stat = statSync(path);
    } catch {
      problem(path, 'does not exist (expected a manifest file or a folder of .yaml/.yml files)');
      continue;
    }
    if (stat.isDirectory()) {
      const found = readdirSync(path)
        .filter((name) => /\.ya?ml$/i.test(name))
        .sort()
        .map((name) => join(path, name));
      if (found.length === 0) problem(path, 'is a folder without .yaml or .yml files (expected at least one manifest)');
      files.push(...found);
    } else {
      files.push(path);
    }
  }
  return { files, problems };
}
