import { SwitchyardError } from '../errors.ts';

/** One problem found in the manifests, printed as `FILE:LINE:COL Kind/name field.path: what is wrong (what was expected)`. */
export interface ConfigProblem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** `Kind/name`, or `-` when the document has no readable kind. */
  readonly resource: string;
  readonly field: string;
  readonly message: string;
}

export function formatProblem(problem: ConfigProblem): string {
  return `${problem.file}:${problem.line}:${problem.column} ${problem.resource} ${problem.field}: ${problem.message}`;
}

/** In the order of the files given, then of their lines and columns. */
export function sortProblems(problems: readonly ConfigProblem[], files: readonly string[]): ConfigProblem[] {
  const order = new Map(files.map((file, i) => [file, i]));
  return [...problems].sort((a, b) => (order.get(a.file) ?? -1) - (order.get(b.file) ?? -1) || a.line - b.line || a.column - b.column);
}

/** Problems found while starting (a secret, a handler): SWY_CONFIG_INVALID with each problem, positioned. */
export class ConfigProblemsError extends SwitchyardError {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super('SWY_CONFIG_INVALID', problems.map(formatProblem).join('\n'));
  }
}
