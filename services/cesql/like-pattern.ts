/**
 * §3.4.3 LIKE patterns: `%` is any run of characters, `_` exactly one character, `\%` and `\_` the
 * characters themselves; everything else (a lone `\` included) matches itself, case-sensitively.
 * Characters are Unicode code points. Compiled once: the common shapes become string tests, the
 * others a linear-time wildcard match (no regular expression: they backtrack).
 */

type Part = { readonly wildcard: '%' | '_' } | { readonly text: string };

export function compileLikePattern(pattern: string): (value: string) => boolean {
  const parts = splitPattern(pattern);
  const literal = (p: Part | undefined): p is { text: string } => p !== undefined && 'text' in p;
  const any = (p: Part | undefined) => p !== undefined && 'wildcard' in p && p.wildcard === '%';
  const [first, second, third] = parts;
  if (parts.length === 0) return (value) => value === '';
  if (parts.length === 1 && literal(first)) return (value) => value === first.text;
  if (parts.length === 1 && any(first)) return () => true;
  if (parts.length === 2 && literal(first) && any(second)) return (value) => value.startsWith(first.text);
  if (parts.length === 2 && any(first) && literal(second)) return (value) => value.endsWith(second.text);
  if (parts.length === 3 && any(first) && literal(second) && any(third)) return (value) => value.includes(second.text);
  const tokens = parts.flatMap((p): Token[] => ('text' in p ? [...p.text] : [p.wildcard === '%' ? ANY_RUN : ANY_ONE]));
  return (value) => matchTokens(tokens, value);
}

/** `%` and `_` in a pattern's code points, kept apart from the characters themselves. */
const ANY_RUN = Symbol('%');
const ANY_ONE = Symbol('_');
type Token = string | typeof ANY_RUN | typeof ANY_ONE;

/** UTF-16 code units of the code point at `at` (2 for a surrogate pair). */
function width(value: string, at: number): number {
  return (value.codePointAt(at) ?? 0) > 0xffff ? 2 : 1;
}

/**
 * Wildcard matching in O(value × pattern) at worst: on a mismatch, only the last `%` is moved on
 * by one character. A regular expression with a `.*` per `%` backtracks polynomially instead
 * (`%a%a%a%a%b` against 2,000 `a`s did not finish in two minutes). Positions are code units,
 * steps whole code points.
 */
function matchTokens(pattern: readonly Token[], value: string): boolean {
  let p = 0;
  let v = 0;
  let star = -1;
  let resume = 0;
  while (v < value.length) {
    const token = pattern[p];
    if (token === ANY_RUN) {
      star = p++;
      resume = v;
    } else if (token === ANY_ONE) {
      p++;
      v += width(value, v);
    } else if (token !== undefined && value.startsWith(token, v)) {
      p++;
      v += token.length;
    } else if (star !== -1) {
      p = star + 1;
      resume += width(value, resume);
      v = resume;
    } else return false;
  }
  while (pattern[p] === ANY_RUN) p++;
  return p === pattern.length;
}

function splitPattern(pattern: string): Part[] {
  const parts: Part[] = [];
  let text = '';
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    const next = chars[i + 1];
    if (c === '\\' && (next === '%' || next === '_')) {
      text += next;
      i++;
    } else if (c === '%' || c === '_') {
      if (text !== '') parts.push({ text });
      text = '';
      const previous = parts[parts.length - 1];
      // `%%` is the same as `%`.
      if (!(c === '%' && previous !== undefined && 'wildcard' in previous && previous.wildcard === '%')) parts.push({ wildcard: c });
    } else text += c;
  }
  if (text !== '') parts.push({ text });
  return parts;
}
