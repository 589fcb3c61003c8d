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
