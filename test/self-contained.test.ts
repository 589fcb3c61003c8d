/**
 * The tests must run without anything outside the repository: a user's clone has only the
 * repository. Every path a test names relative to its own file (new URL('…', import.meta.url))
 * stays inside it, and the fixtures those tests read are there.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('../', import.meta.url));

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'fixtures' ? [] : testFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

describe('The tests must run without anything outside the repository', () => {
  it('no test names a path outside the repository', () => {
    const outside: string[] = [];
    for (const file of testFiles(join(REPO, 'test'))) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/new URL\((['"`])([^'"`]+)\1,\s*import\.meta\.url\)/g)) {
        const path = match[2] as string;
        const target = fileURLToPath(new URL(path, pathToFileURL(file)));
        if (relative(REPO, target).startsWith('..')) outside.push(`${relative(REPO, file)}: ${path}`);
      }
    }
    expect(outside).toEqual([]);
  });

  it('the Knative manifests the compatibility test loads are in test/fixtures/knative, with their source noted', () => {
    const dir = join(REPO, 'test', 'fixtures', 'knative');
    expect(readdirSync(dir).filter((f) => f.endsWith('.yaml')).length).toBeGreaterThanOrEqual(30);
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toContain('knative/docs');
  });

  it('the README links to nothing outside the repository', () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    expect(readme).not.toMatch(/\.\.\/shared|\]\(\.\.\//);
  });
});
