/** Finds where a field path sits in a parsed YAML document, for error messages with line and column. */
import { type Document, isMap, isScalar, isSeq, type LineCounter, type Node } from 'yaml';

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
