import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorTable } from '../services/errors.ts';

const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');

describe('the error table', () => {
  it.each(Object.keys(errorTable))('%s is documented in docs/errors.md', (code) => {
    expect(doc).toMatch(new RegExp(`^\\| \`${code}\` \\|`, 'm'));
  });

  it('documents no code that does not exist', () => {
    const documented = [...doc.matchAll(/^\| `(SWY_[A-Z_]+)` \|/gm)].map((m) => m[1]);
    expect(documented.filter((code) => !(code as string in errorTable))).toEqual([]);
  });

  it('gives every code that crosses HTTP a 4xx or 5xx status', () => {
    for (const [code, entry] of Object.entries(errorTable)) {
      if (entry.status !== 0) expect(entry.status, code).toBeGreaterThanOrEqual(400);
    }
  });

  it("Health tells the truth: docs/lifecycle.md's Retry-After values are the code's", () => {
    const lifecycle = readFileSync(new URL('../docs/lifecycle.md', import.meta.url), 'utf8');
    for (const code of ['SWY_OVERLOADED', 'SWY_STORE_UNAVAILABLE'] as const) {
      const entry = errorTable[code];
      expect(lifecycle).toMatch(new RegExp(`${entry.status} ${code}, Retry-After: ${entry.retryAfterSeconds}\\b`));
    }
  });
});
