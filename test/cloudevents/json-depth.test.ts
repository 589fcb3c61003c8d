/** Deeply nested JSON: the depth of JSON text, counted without parsing it (services/cloudevents/json-depth.ts). */
import { describe, expect, it } from 'vitest';
import { jsonDeeperThan } from '../../services/cloudevents/json-depth.ts';

const bytes = (text: string) => Buffer.from(text, 'utf8');
const nested = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;

describe('Deeply nested JSON: jsonDeeperThan', () => {
  it('counts arrays and objects, and nothing inside strings', () => {
    expect(jsonDeeperThan(bytes(nested(3)), 3)).toBe(false);
    expect(jsonDeeperThan(bytes(nested(4)), 3)).toBe(true);
    expect(jsonDeeperThan(bytes('{"a":{"b":[1,{"c":2}]}}'), 4)).toBe(false);
    expect(jsonDeeperThan(bytes('{"a":{"b":[1,{"c":2}]}}'), 3)).toBe(true);
    expect(jsonDeeperThan(bytes(`{"s":"${'['.repeat(100)}"}`), 1)).toBe(false);
    expect(jsonDeeperThan(bytes(`{"s":"\\"${'['.repeat(100)}"}`), 1)).toBe(false);
    expect(jsonDeeperThan(bytes('42'), 0)).toBe(false);
  });
  it('takes linear time: 5 MB of brackets in well under a second', () => {
    const started = performance.now();
    expect(jsonDeeperThan(bytes(nested(2_500_000)), 64)).toBe(true);
    expect(jsonDeeperThan(bytes(`[${'1,'.repeat(2_500_000)}1]`), 64)).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
