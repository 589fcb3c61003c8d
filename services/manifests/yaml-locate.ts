/** Finds where a field path sits in a parsed YAML document, for error messages with line and column. */
import { type Document, isMap, isScalar, isSeq, type LineCounter, type Node } from 'yaml';
import type { ConfigProblem } from './config-problem.ts';

export interface Position {
  readonly line: number;
  readonly column: number;
}

function start(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : undefined;
}

/**
 * The position of the value at `path` (or of its key when `atKey`); when the path stops existing
 * part-way (a missing field), the position of the deepest key that does exist.
 */
export function locate(doc: Document, lines: LineCounter, path: ReadonlyArray<string | number>, atKey = false): Position {
  let node: unknown = doc.contents;
  let keyNode: unknown = doc.contents;
  let complete = true;
  for (const step of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(step));
      if (pair === undefined) {
        complete = false;
        break;
      }
      keyNode = pair.key;
      node = pair.value;
    } else if (isSeq(node) && typeof step === 'number' && node.items[step] !== undefined) {
      keyNode = node.items[step];
      node = node.items[step];
    } else {
      complete = false;
      break;
    }
  }
  const offset = (complete && !atKey ? start(node) : undefined) ?? start(keyNode) ?? start(doc.contents) ?? 0;
  const { line, col } = lines.linePos(offset);
  return { line, column: col };
}

/**
 * The position of character `offset` of the string at `path`, for pointing into a value (a CESQL
 * expression). Exact for a plain or quoted scalar written on one line without escapes before the
 * offset; for other scalars (block scalars, multi-line), the position of the value itself.
 */
export function locateInScalar(doc: Document, lines: LineCounter, path: ReadonlyArray<string | number>, offset: number): Position {
  const node = doc.getIn(path, true);
  if (isScalar(node) && node.range && typeof node.source === 'string') {
    const [from, to] = node.range;
    const quoted = node.type === 'QUOTE_SINGLE' || node.type === 'QUOTE_DOUBLE';
    const oneLine = lines.linePos(from).line === lines.linePos(Math.max(from, to - 1)).line;
    if ((node.type === 'PLAIN' || quoted) && oneLine) {
      const { line, col } = lines.linePos(from + (quoted ? 1 : 0) + offset);
      return { line, column: col };
    }
  }
  return locate(doc, lines, path);
}

/** The document's YAML syntax errors as problems, one each, at the position the parser gives. */
export function yamlSyntaxProblems(file: string, doc: Document, resource: string): ConfigProblem[] {
  return doc.errors.map((error) => {
    const pos = error.linePos?.[0] ?? { line: 1, col: 1 };
    const message = (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:$/, '');
    return { file, line: pos.line, column: pos.col, resource, field: '(yaml)', message: `${message} (expected valid YAML)` };
  });
}
