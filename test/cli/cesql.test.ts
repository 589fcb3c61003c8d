/** `switchyard cesql`: the command a user runs to try an expression, as a child process. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { tempDir } from '../support/temp-dir.ts';

const dir = tempDir();
afterAll(() => dir.remove());

const lines = (stdout: string) => stdout.trim().split('\n').map((line) => JSON.parse(line) as unknown);

describe('switchyard cesql', () => {
  it('prints the value and a null error, and exits 0', async () => {
    const result = await runCli(['cesql', "CONCAT('a', 1 + 2)"]);
    expect(result.code).toBe(0);
    expect(lines(result.stdout)).toEqual([{ value: 'a3', error: null }]);
  });

  it('evaluates against an event from a file or from stdin, one result per JSON line', async () => {
    const file = join(dir.path, 'event.json');
    writeFileSync(file, JSON.stringify({ specversion: '1.0', id: '1', source: '/shop/eu', type: 'order.created', data: { big: true } }));
    const expression = "source LIKE '/shop/%' AND type IN ('order.created', 'order.updated')";
    expect(lines((await runCli(['cesql', expression, '--event', file])).stdout)).toEqual([{ value: true, error: null }]);
    const input = ['{"specversion":"1.0","id":"1","source":"/shop/us","type":"order.updated"}', '{"specversion":"1.0","id":"2","source":"/b","type":"order.updated"}'].join('\n');
    expect(lines((await runCli(['cesql', expression, '--event', '-'], { input })).stdout)).toEqual([
      { value: true, error: null },
      { value: false, error: null },
    ]);
  });

  it('prints the value and the error kind when evaluation fails, and exits 1', async () => {
    const result = await runCli(['cesql', 'amount * 2', '--event', '-'], { input: '{"specversion":"1.0","id":"1","source":"/s","type":"t"}' });
    expect(result.code).toBe(1);
    expect(lines(result.stdout)).toEqual([{ value: 0, error: { kind: 'missingAttribute', message: 'the event has no attribute amount' } }]);
    const parse = await runCli(['cesql', "type = 'x' AND"]);
    expect(parse.code).toBe(1);
    expect(lines(parse.stdout)).toEqual([{ value: false, error: { kind: 'parse', message: expect.stringMatching(/found the end of the expression \(at character 15\)$/) } }]);
  });

  it('--batch answers each request line with one result line, in order, bad lines included', async () => {
    const input = [
      JSON.stringify({ expression: 'LENGTH(id)', event: { specversion: '1.0', id: 'abcd', source: '/s', type: 't' } }),
      'not json',
      JSON.stringify({ expression: '5 % 0' }),
      '',
      JSON.stringify({ expression: "SUBSTRING('Sakila', -5, 3)" }),
    ].join('\n');
    const result = await runCli(['cesql', '--batch'], { input });
    expect(result.code).toBe(1);
    expect(lines(result.stdout)).toEqual([
      { value: 4, error: null },
      { value: false, error: { kind: 'generic', message: expect.stringMatching(/^line 2 is not JSON/) } },
      { value: 0, error: { kind: 'math', message: 'modulo by zero' } },
      { value: 'aki', error: null },
    ]);
  });

  it('explains its usage and refuses a missing expression', async () => {
    const help = await runCli(['cesql', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: switchyard cesql EXPRESSION [--event FILE|-]');
    const missing = await runCli(['cesql']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('EXPRESSION is required');
  });
});
