/**
 * Turns zod issues into the messages configuration errors show: what is wrong, then what was
 * expected in parentheses. Unknown fields list the fields that are allowed there, with the closest
 * one first when it looks like a typo.
 */
import { z } from 'zod';

export interface IssueProblem {
  readonly path: ReadonlyArray<string | number>;
  readonly message: string;
  /** True when the problem is a key (an unknown field, a bad attribute name): point at the key, not its value. */
  readonly atKey: boolean;
}

function describeInput(input: unknown): string {
  if (input === undefined) return 'missing';
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a map';
  if (typeof input === 'string') return JSON.stringify(input);
  return String(input);
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a map',
  array: 'a list',
  record: 'a map',
};

type Schema = z.core.$ZodType;

/** The object shape at `path` inside `schema`, following optionals, arrays, records and unions. */
function shapeAt(schema: Schema, path: ReadonlyArray<string | number>): string[] | undefined {
  let current: Schema | undefined = schema;
  for (const step of path) {
    current = unwrap(current);
    if (current === undefined) return undefined;
    const def = current._zod.def as unknown as Record<string, unknown>;
    if (def['type'] === 'object') current = (def['shape'] as Record<string, Schema>)[String(step)];
    else if (def['type'] === 'array') current = def['element'] as Schema;
    else if (def['type'] === 'record') current = def['valueType'] as Schema;
    else return undefined;
  }
  current = unwrap(current);
  if (current === undefined) return undefined;
  const def = current._zod.def as unknown as Record<string, unknown>;
  return def['type'] === 'object' ? Object.keys(def['shape'] as Record<string, Schema>) : undefined;
}

function unwrap(schema: Schema | undefined): Schema | undefined {
  let current = schema;
  for (let i = 0; i < 10 && current !== undefined; i++) {
    const def = current._zod.def as unknown as Record<string, unknown>;
    if (def['type'] === 'optional' || def['type'] === 'nullable' || def['type'] === 'default') current = def['innerType'] as Schema;
    else if (def['type'] === 'pipe') current = def['in'] as Schema;
    else if (def['type'] === 'lazy') current = (def['getter'] as () => Schema)();
    else return current;
  }
  return current;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const saved = row[j] as number;
      row[j] = Math.min((row[j] as number) + 1, (row[j - 1] as number) + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = saved;
    }
  }
  return row[b.length] as number;
}

export function unknownFieldMessage(key: string, known: readonly string[] | undefined): string {
  if (known === undefined || known.length === 0) return 'is not a known field';
  const closest = [...known].sort((x, y) => editDistance(key, x) - editDistance(key, y))[0] as string;
  const hint = editDistance(key, closest) <= Math.max(2, Math.floor(key.length / 3)) ? `did you mean ${closest}? ` : '';
  return `is not a known field (${hint}expected one of: ${known.join(', ')})`;
}

export function issueProblems(schema: Schema, issue: z.core.$ZodIssue): IssueProblem[] {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  const input = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = shapeAt(schema, path);
      return issue.keys.map((key) => ({ path: [...path, key], message: unknownFieldMessage(key, known), atKey: true }));
    }
    case 'invalid_type': {
      const expected = TYPE_NAMES[issue.expected] ?? issue.expected;
      return [{ path, message: `is ${describeInput(input)} (expected ${expected})`, atKey: false }];
    }
    case 'invalid_value': {
      const values = issue.values.map((v) => JSON.stringify(v));
      const expected = values.length === 1 ? values[0] : `one of: ${values.join(', ')}`;
      return [{ path, message: `is ${describeInput(input)} (expected ${expected})`, atKey: false }];
    }
    case 'too_small': {
      if (issue.origin === 'string') return [{ path, message: 'is empty (expected a non-empty string)', atKey: false }];
      if (issue.origin === 'array') return [{ path, message: `has too few items (expected at least ${issue.minimum})`, atKey: false }];
      return [{ path, message: `is ${describeInput(input)} (expected at least ${issue.minimum})`, atKey: false }];
    }
    case 'too_big': {
      if (issue.origin === 'string') return [{ path, message: `is too long (expected at most ${issue.maximum} characters)`, atKey: false }];
      return [{ path, message: `is ${describeInput(input)} (expected at most ${issue.maximum})`, atKey: false }];
    }
    case 'invalid_key': {
      return issue.issues.map((inner) => ({ path, message: inner.message, atKey: true }));
    }
    case 'invalid_format':
      return [{ path, message: `${describeInput(input)} ${issue.message}`, atKey: false }];
    case 'invalid_union':
      return [{ path, message: `is ${describeInput(input)}, which matches none of the allowed forms`, atKey: false }];
    default:
      return [{ path, message: issue.message, atKey: false }];
  }
}
