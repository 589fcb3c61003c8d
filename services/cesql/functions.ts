/**
 * The built-in functions (§3.5), by name and arity. Each receives arguments already cast to its
 * parameter types (§3.7) and returns its value, with an error when the function defines one: the
 * value is then the one the specification prescribes (LEFT('abc', -2) is 'abc').
 */
import { type CesqlType, type CesqlValue, INT32_MIN, INT32_MAX, toBoolean, toInteger, toText } from './cesql-value.ts';

export interface FunctionResult {
  readonly value: CesqlValue;
  readonly error?: { readonly kind: 'math' | 'cast' | 'functionEvaluation'; readonly message: string };
}

export interface BuiltinFunction {
  /** Fixed parameters' types; a variadic function repeats `variadic` after them. */
  readonly parameters: readonly CesqlType[];
  readonly variadic?: CesqlType;
  readonly returns: CesqlType;
  readonly call: (args: CesqlValue[]) => FunctionResult;
}

/** Unicode White_Space (the property), which is not what String.prototype.trim removes (it takes U+FEFF, keeps U+0085). */
const UNICODE_SPACE = '\\t\\n\\v\\f\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000';
const WHITE_SPACE = new RegExp(`^[${UNICODE_SPACE}]$`, 'u');

/**
 * Unicode White_Space off both ends, by walking in from each end: the regular expression
 * `[…]+$` it replaces retried from every position of an inner run of spaces (250 KB of U+2000
 * between two letters took 100 s).
 */
function trim(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && WHITE_SPACE.test(text[start] as string)) start++;
  while (end > start && WHITE_SPACE.test(text[end - 1] as string)) end--;
  return text.slice(start, end);
}

const chars = (s: string) => [...s];

function substring(x: string, pos: number, len: number | undefined): FunctionResult {
  const c = chars(x);
  if (pos > c.length || pos < -c.length) {
    return { value: '', error: { kind: 'functionEvaluation', message: `position ${pos} is outside the string of length ${c.length}` } };
  }
  if (len !== undefined && len < 0) return { value: '', error: { kind: 'functionEvaluation', message: `length ${len} is negative` } };
  if (pos === 0) return { value: '' };
  const start = pos > 0 ? pos - 1 : c.length + pos;
  return { value: c.slice(start, len === undefined ? undefined : start + len).join('') };
}

function cast(result: { value: CesqlValue; error?: string }): FunctionResult {
  return result.error === undefined ? { value: result.value } : { value: result.value, error: { kind: 'cast', message: result.error } };
}

const s = (v: CesqlValue | undefined) => v as string;
const n = (v: CesqlValue | undefined) => v as number;

const BUILTINS: Record<string, BuiltinFunction[]> = {
  LENGTH: [{ parameters: ['String'], returns: 'Integer', call: ([x]) => ({ value: chars(s(x)).length }) }],
  CONCAT: [{ parameters: [], variadic: 'String', returns: 'String', call: (args) => ({ value: args.join('') }) }],
  CONCAT_WS: [{ parameters: ['String'], variadic: 'String', returns: 'String', call: ([delimiter, ...rest]) => ({ value: rest.join(s(delimiter)) }) }],
  LOWER: [{ parameters: ['String'], returns: 'String', call: ([x]) => ({ value: s(x).toLowerCase() }) }],
  UPPER: [{ parameters: ['String'], returns: 'String', call: ([x]) => ({ value: s(x).toUpperCase() }) }],
  TRIM: [{ parameters: ['String'], returns: 'String', call: ([x]) => ({ value: trim(s(x)) }) }],
  LEFT: [
    {
      parameters: ['String', 'Integer'],
      returns: 'String',
      call: ([x, y]) =>
        n(y) < 0 ? { value: s(x), error: { kind: 'functionEvaluation', message: `length ${n(y)} is negative` } } : { value: chars(s(x)).slice(0, n(y)).join('') },
    },
  ],
  RIGHT: [
    {
      parameters: ['String', 'Integer'],
      returns: 'String',
      call: ([x, y]) => {
        if (n(y) < 0) return { value: s(x), error: { kind: 'functionEvaluation', message: `length ${n(y)} is negative` } };
        const c = chars(s(x));
        return { value: n(y) === 0 ? '' : c.slice(Math.max(0, c.length - n(y))).join('') };
      },
    },
  ],
  SUBSTRING: [
    { parameters: ['String', 'Integer'], returns: 'String', call: ([x, pos]) => substring(s(x), n(pos), undefined) },
    { parameters: ['String', 'Integer', 'Integer'], returns: 'String', call: ([x, pos, len]) => substring(s(x), n(pos), n(len)) },
  ],
  ABS: [
    {
      parameters: ['Integer'],
      returns: 'Integer',
      call: ([x]) =>
        n(x) === INT32_MIN ? { value: INT32_MAX, error: { kind: 'math', message: 'the absolute value of -2147483648 does not fit in 32 bits' } } : { value: Math.abs(n(x)) },
    },
  ],
  INT: [{ parameters: ['String'], returns: 'Integer', call: ([x]) => cast(toInteger(x as CesqlValue)) }],
  BOOL: [{ parameters: ['String'], returns: 'Boolean', call: ([x]) => cast(toBoolean(x as CesqlValue)) }],
  STRING: [{ parameters: ['String'], returns: 'String', call: ([x]) => ({ value: toText(x as CesqlValue) }) }],
  IS_INT: [{ parameters: ['String'], returns: 'Boolean', call: ([x]) => ({ value: toInteger(x as CesqlValue).error === undefined }) }],
  IS_BOOL: [{ parameters: ['String'], returns: 'Boolean', call: ([x]) => ({ value: toBoolean(x as CesqlValue).error === undefined }) }],
};

/** The casting functions take their argument as it is: INT(TRUE) is 1, not INT('true'). */
export const CASTING_FUNCTIONS = new Set(['INT', 'BOOL', 'STRING', 'IS_INT', 'IS_BOOL']);

/** The overload for `name` called with `arity` arguments (§3.5), or undefined. */
export function findFunction(name: string, arity: number): BuiltinFunction | undefined {
  const overloads = BUILTINS[name];
  if (overloads === undefined) return undefined;
  return (
    overloads.find((f) => f.variadic === undefined && f.parameters.length === arity) ??
    overloads.find((f) => f.variadic !== undefined && arity >= f.parameters.length)
  );
}

export function functionNames(): string[] {
  return Object.keys(BUILTINS);
}
