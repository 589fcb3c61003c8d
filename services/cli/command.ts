/** What every `switchyard` subcommand provides. */
import type { ParseArgsConfig } from 'node:util';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;
export type OptionValues = Record<string, string | boolean | Array<string | boolean> | undefined>;

export interface Command {
  readonly name: string;
  readonly summary: string;
  /** The full `--help` text. */
  readonly help: string;
  readonly options: OptionSpec;
  readonly allowPositionals?: boolean;
  /** Resolves with the exit code. */
  run(values: OptionValues, positionals: string[]): Promise<number>;
}

export interface Output {
  out(line: string): void;
  err(line: string): void;
}

export const consoleOutput: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};
