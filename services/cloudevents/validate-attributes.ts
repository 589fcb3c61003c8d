/**
 * CloudEvents 1.0.2 attribute rules (spec.md §3 "Context Attributes", §3.1 type system), checked by
 * hand rather than with a schema library: this runs once per published event and a plain function
 * is several times faster than a generic validator on the ingress hot path.
 */
import { OPTIONAL_ATTRIBUTES, REQUIRED_ATTRIBUTES } from './cloud-event.ts';

export interface AttributeViolation {
  readonly attribute: string;
  readonly rule: string;
}

const EXTENSION_NAME = /^[a-z0-9]+$/;
const CONTROL_OR_SPACE = /[\u0000-\u0020\u007f]/;
const BAD_PERCENT = /%(?![0-9A-Fa-f]{2})/;
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
/** RFC 7230 tchar as the media-type check accepts it, by character code. */
const TOKEN_CHARS = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$&^_.+-'") TOKEN_CHARS[c.charCodeAt(0)] = 1;
const SPACE = /\s/;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))$/;
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** RFC 3339 §5.6 date-time, with the calendar checked (no 31 April, 29 February only in leap years). */
export function isRfc3339(value: string): boolean {
  const m = RFC3339.exec(value);
  if (!m) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
  if (day > days) return false;
  if (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 60) return false;
  if (m[9] !== undefined && (Number(m[9]) > 23 || Number(m[10]) > 59)) return false;
  return true;
}

export function isUriReference(value: string): boolean {
  return !CONTROL_OR_SPACE.test(value) && !BAD_PERCENT.test(value);
}

export function isAbsoluteUri(value: string): boolean {
  return SCHEME.test(value) && isUriReference(value);
}

/**
 * RFC 2046 / RFC 7231 §3.1.1.1: `type/subtype *( OWS ";" OWS token "=" ( token / quoted-string ) )`,
 * a trailing `;` allowed. Read in one pass: the regular expression it replaces backtracked over runs
 * of spaces, and a 256 KB datacontenttype of spaces held the event loop for 40 s.
 */
export function isMediaType(value: string): boolean {
  let i = 0;
  const token = (): boolean => {
    const start = i;
    while (i < value.length && TOKEN_CHARS[value.charCodeAt(i)] === 1) i++;
    return i > start;
  };
  const spaces = () => {
    while (i < value.length && SPACE.test(value[i] as string)) i++;
  };
  if (!token() || value[i++] !== '/' || !token()) return false;
  for (;;) {
    spaces();
    if (i === value.length) return true;
    if (value[i++] !== ';') return false;
    spaces();
    if (i === value.length) return true;
    if (!token() || value[i++] !== '=') return false;
    if (value[i] !== '"') {
      if (!token()) return false;
      continue;
    }
    for (i++; i < value.length && value[i] !== '"'; i++) if (value[i] === '\\') i++;
    if (i >= value.length) return false;
    i++;
  }
}

function checkRequired(name: string, value: unknown): string | null {
  if (value === undefined) return `${name} is required`;
  if (typeof value !== 'string') return `${name} must be a string, not ${describeType(value)}`;
  if (value.length === 0) return `${name} must be a non-empty string`;
  if (name === 'specversion' && value !== '1.0') return `specversion must be "1.0" (this platform speaks CloudEvents 1.0), not "${value}"`;
  if (name === 'source' && !isUriReference(value)) return 'source must be a URI-reference (RFC 3986): no spaces, control characters or stray %';
  return null;
}

function checkOptional(name: string, value: unknown): string | null {
  if (typeof value !== 'string') return `${name} must be a string, not ${describeType(value)}`;
  switch (name) {
    case 'datacontenttype':
      return isMediaType(value) ? null : `datacontenttype must be a media type as in RFC 2046 (like "application/json"), not "${value}"`;
    case 'dataschema':
      if (value.length === 0) return 'dataschema must be a non-empty absolute URI';
      return isAbsoluteUri(value) ? null : `dataschema must be an absolute URI (RFC 3986, with a scheme), not "${value}"`;
    case 'subject':
      return value.length === 0 ? 'subject must be a non-empty string when present' : null;
    case 'time':
      return isRfc3339(value) ? null : `time must be an RFC 3339 timestamp (like "2026-01-02T15:04:05Z"), not "${value}"`;
    default:
      return null;
  }
}

/** The rule an extension name breaks, or null. Exported for the names the edges refuse before they reach an object (`__proto__`). */
export function extensionNameRule(name: string): string | null {
  return EXTENSION_NAME.test(name) ? null : `extension attribute names must be lower-case letters a-z and digits 0-9 only (CloudEvents 1.0.2 §3.1), "${name}" is not`;
}

function checkExtension(name: string, value: unknown): string | null {
  const nameRule = extensionNameRule(name);
  if (nameRule !== null) return nameRule;
  if (typeof value === 'string' || typeof value === 'boolean') return null;
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX) return null;
    return `extension ${name} must be a string, a boolean or a 32-bit integer, not the number ${value}`;
  }
  return `extension ${name} must be a string, a boolean or a 32-bit integer, not ${describeType(value)}`;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

const REQUIRED = new Set<string>(REQUIRED_ATTRIBUTES);
const OPTIONAL = new Set<string>(OPTIONAL_ATTRIBUTES);

/**
 * Every violation of the attribute rules, in a stable order (required attributes first). `null`
 * values must already have been removed: the JSON format (§2.2) treats them as absent.
 */
export function validateAttributes(attributes: Readonly<Record<string, unknown>>): AttributeViolation[] {
  const violations: AttributeViolation[] = [];
  for (const name of REQUIRED_ATTRIBUTES) {
    const rule = checkRequired(name, attributes[name]);
    if (rule) violations.push({ attribute: name, rule });
  }
  for (const name in attributes) {
    if (REQUIRED.has(name)) continue;
    const value = attributes[name];
    const rule = OPTIONAL.has(name) ? checkOptional(name, value) : checkExtension(name, value);
    if (rule) violations.push({ attribute: name, rule });
  }
  return violations;
}
