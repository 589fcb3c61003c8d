/** The README test's reading of code blocks (test/support/readme-blocks.ts), on plain values. */
import { describe, expect, it } from 'vitest';
import { consoleCommands, missingOutput, readmeBlocks, shellCommands } from './support/readme-blocks.ts';

describe('README blocks', () => {
  it('finds fenced blocks with their language and line', () => {
    expect(readmeBlocks('a\n```sh\nls\n```\n\n```yaml\nk: v\n```\n')).toEqual([
      { lang: 'sh', line: 2, body: 'ls' },
      { lang: 'yaml', line: 6, body: 'k: v' },
    ]);
  });

  it('reads commands, continuations and the output shown after them; a comment after a blank line is no output', () => {
    expect(shellCommands('# a comment\ncurl -i x \\\n  -d y\n# HTTP/1.1 202 Accepted\n\n# another comment\nls   # trailing\n#   indented output')).toEqual([
      { text: 'curl -i x \\\n  -d y', expected: ['HTTP/1.1 202 Accepted'] },
      { text: 'ls   # trailing', expected: ['  indented output'] },
    ]);
    expect(consoleCommands('$ switchyard validate -f x\nline one\nline two')).toEqual([{ text: 'switchyard validate -f x', expected: ['line one', 'line two'] }]);
  });

  it('matches output with ... and times as wildcards, spacing exact, in order', () => {
    expect(missingOutput(['ID  TIME', '1   2026-11-23T20:36:54.301Z  a ... b'], ['ID  TIME', '1   2027-01-02T03:04:05.678Z  a xyz b'])).toEqual([]);
    expect(missingOutput(['1   a'], ['1  a'])).toEqual(['1   a']);
    expect(missingOutput(['second', 'first'], ['first', 'second'])).toEqual(['first']);
  });
});
