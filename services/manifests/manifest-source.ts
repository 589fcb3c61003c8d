/**
 * Where a resource was declared: its file and the position of its document (or of its item in a
 * `kind: List`), and a way to find any field inside it, so that a problem found after loading
 * (a secret that cannot be read, a handler that does not load) points at the field as a schema
 * error does.
 */
import type { ConfigProblem } from './config-problem.ts';
import type { Position } from './yaml-locate.ts';

export type FieldPath = ReadonlyArray<string | number>;

export interface ManifestSource {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** `Kind/name`, as problems name the resource. */
  readonly resource: string;
  /** The position of the value at `path` inside the resource (of its key when `atKey`). */
  at(path: FieldPath, atKey?: boolean): Position;
}

/** `spec.auth.github.secret.env`, `spec.filters[0].exact`. */
export function formatPath(path: FieldPath): string {
  let out = '';
  for (const step of path) {
    if (typeof step === 'number') out += `[${step}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(step)) out += out === '' ? step : `.${step}`;
    else out += `[${JSON.stringify(step)}]`;
  }
  return out === '' ? '(document)' : out;
}

/** A problem at a field of the resource. */
export function problemAt(source: ManifestSource, path: FieldPath, message: string, atKey = false): ConfigProblem {
  const { line, column } = source.at(path, atKey);
  return { file: source.file, line, column, resource: source.resource, field: formatPath(path), message };
}
