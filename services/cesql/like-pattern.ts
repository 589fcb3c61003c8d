/**
 * §3.4.3 LIKE patterns: `%` is any run of characters, `_` exactly one character, `\%` and `\_` the
 * characters themselves; everything else (a lone `\` included) matches itself, case-sensitively.
 * Characters are Unicode code points. Compiled once: the common shapes become string tests.
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
  const source = parts.map((p) => ('text' in p ? escapeRegExp(p.text) : p.wildcard === '%' ? '.*' : '.')).join('');
  const regexp = new RegExp(`^${source}$`, 'su');
  return (value) => regexp.test(value);
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

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}
