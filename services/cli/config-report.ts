/** How commands print configuration problems and warnings: one line each, FILE:LINE:COL Kind/name field: message. */
import { SwitchyardError } from '../errors.ts';
import { type ConfigProblem, formatProblem } from '../manifests/config-problem.ts';
import { consoleOutput } from './command.ts';

export function printWarnings(warnings: readonly ConfigProblem[]): void {
  for (const warning of warnings) consoleOutput.err(`warning: ${formatProblem(warning)}`);
}

export function problemCount(problems: readonly ConfigProblem[]): string {
  return `${problems.length} problem${problems.length === 1 ? '' : 's'}`;
}

/** Prints the problems on stderr and stops the command with SWY_CONFIG_INVALID, saying `where`. */
export function refuseProblems(problems: readonly ConfigProblem[], where: string): never {
  for (const problem of problems) consoleOutput.err(formatProblem(problem));
  throw new SwitchyardError('SWY_CONFIG_INVALID', `${problemCount(problems)} ${where}`);
}
