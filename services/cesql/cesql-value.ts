/**
 * CESQL values, errors and casts (CloudEvents SQL Expression Language 1.0, §3.1, §3.3, §3.7).
 * Pure: no I/O.
 */

/** §3.1: the three primitive types. Integers are 32-bit signed. */
export type CesqlValue = string | number | boolean;
export type CesqlType = 'String' | 'Integer' | 'Boolean';

/** §3.3: the error kinds every engine supports. */
export type CesqlErrorKind = 'parse' | 'math' | 'cast' | 'missingAttribute' | 'missingFunction' | 'functionEvaluation' | 'generic';

export interface CesqlError {
  readonly kind: CesqlErrorKind;
  readonly message: string;
  /** Character offset in the expression (0-based) of the part that failed. */
  readonly at: number;
}

export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;

/** §3.1: the zero value of each type. */
export function zeroOf(type: CesqlType): CesqlValue {
  return type === 'String' ? '' : type === 'Integer' ? 0 : false;
}

export function typeOf(value: CesqlValue): CesqlType {
  return typeof value === 'string' ? 'String' : typeof value === 'number' ? 'Integer' : 'Boolean';
}

/** A cast that could fail: the value is the target's zero value when `error` is set. */
export interface CastResult {
  readonly value: CesqlValue;
  readonly error?: string;
}

const INTEGER_TEXT = /^[+-]?[0-9]+$/;

/** §3.7 String -> Integer: base 10, optional sign, within 32 bits; otherwise 0 and an error. */
export function toInteger(value: CesqlValue): CastResult {
  if (typeof value === 'number') return { value };
  if (typeof value === 'boolean') return { value: value ? 1 : 0 };
  if (!INTEGER_TEXT.test(value)) return { value: 0, error: `cannot cast the string ${JSON.stringify(value)} to an integer` };
  const parsed = Number(value);
  if (parsed < INT32_MIN || parsed > INT32_MAX) return { value: 0, error: `the string ${JSON.stringify(value)} is out of the 32-bit integer range` };
  return { value: parsed };
}

/** §3.7 String -> Boolean: exactly "true" or "false", case-insensitively; otherwise false and an error. */
export function toBoolean(value: CesqlValue): CastResult {
  if (typeof value === 'boolean') return { value };
  if (typeof value === 'number') return { value: value !== 0 };
  const lower = value.toLowerCase();
  if (lower === 'true') return { value: true };
  if (lower === 'false') return { value: false };
  return { value: false, error: `cannot cast the string ${JSON.stringify(value)} to a boolean (expected "true" or "false")` };
}

/** §3.7 Integer/Boolean -> String: base 10 without leading zeros; "true"/"false". Never fails. */
export function toText(value: CesqlValue): string {
  return typeof value === 'string' ? value : String(value);
}

export function castTo(type: CesqlType, value: CesqlValue): CastResult {
  if (type === 'Integer') return toInteger(value);
  if (type === 'Boolean') return toBoolean(value);
  return { value: toText(value) };
}

/**
 * §3.2: an attribute keeps its type when it is a CESQL primitive (an integer or boolean extension
 * from a structured event); anything else is represented as a String.
 */
export function attributeValue(raw: unknown): CesqlValue | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw === 'string' || typeof raw === 'boolean') return raw;
  if (typeof raw === 'number' && Number.isInteger(raw) && raw >= INT32_MIN && raw <= INT32_MAX) return raw;
  return String(raw);
}
