/**
 * The README's code blocks, as the README test runs them. Pure: no I/O.
 *
 * - ```sh / ```bash: commands; `\` continues a command on the next line; the `# ` lines right
 *   after a command are what it prints; a `# ` line after a blank line (or first) is a comment.
 * - ```console: `$ ` lines are commands, the lines after each are what it prints.
 * - ```yaml: a manifest or platform configuration; ```text, ```ts: shown, not run.
 */
export interface ReadmeBlock {
  readonly lang: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly body: string;
}

export interface ReadmeCommand {
  readonly text: string;
  readonly expected: readonly string[];
}

export function readmeBlocks(readme: string): ReadmeBlock[] {
  const blocks: ReadmeBlock[] = [];
  const lines = readme.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i] as string);
    if (open === null) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i] as string); i++) body.push(lines[i] as string);
    blocks.push({ lang: open[1] ?? '', line: start + 1, body: body.join('\n') });
  }
  return blocks;
}

export function shellCommands(body: string): ReadmeCommand[] {
  const commands: Array<{ text: string; expected: string[] }> = [];
  let current: { text: string; expected: string[] } | undefined;
  let continues = false;
  for (const line of body.split('\n')) {
    if (continues && current !== undefined) {
      current.text += `\n${line}`;
      continues = line.endsWith('\\');
    } else if (line.trim() === '') {
      current = undefined;
    } else if (line.startsWith('#')) {
      current?.expected.push(line.replace(/^# ?/, ''));
    } else {
      current = { text: line, expected: [] };
      commands.push(current);
      continues = line.endsWith('\\');
    }
  }
  return commands;
}

export function consoleCommands(body: string): ReadmeCommand[] {
  const commands: Array<{ text: string; expected: string[] }> = [];
  for (const line of body.split('\n')) {
    if (line.startsWith('$ ')) commands.push({ text: line.slice(2), expected: [] });
    else if (line.trim() !== '') commands.at(-1)?.expected.push(line);
  }
  return commands;
}

const TIMESTAMP = String.raw`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z`;

/**
 * A line as the README shows it, as a pattern: `...` stands for anything, an RFC 3339 time for
 * any such time of the same shape; everything else, spacing included, must be as shown.
 */
export function outputPattern(shown: string): RegExp {
  // split with a capturing group: odd parts are the wildcards, even parts literal text.
  const parts = shown.split(new RegExp(`(\\.\\.\\.|${TIMESTAMP})`));
  const source = parts.map((part, i) => (i % 2 === 0 ? part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : part === '...' ? '.*?' : TIMESTAMP)).join('');
  return new RegExp(`^${source}$`);
}

/** The shown lines that do not appear, in order, among the printed ones (none: the output is as shown). */
export function missingOutput(shown: readonly string[], printed: readonly string[]): string[] {
  const missing: string[] = [];
  let from = 0;
  for (const line of shown) {
    const pattern = outputPattern(line);
    const at = printed.findIndex((candidate, i) => i >= from && pattern.test(candidate));
    if (at === -1) missing.push(line);
    else from = at + 1;
  }
  return missing;
}
