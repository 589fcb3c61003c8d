/** Splits a CESQL expression into tokens (§2). Keywords are recognised by the parser, case-insensitively. */

export type Token =
  | { readonly kind: 'word'; readonly text: string; readonly at: number; readonly end: number }
  | { readonly kind: 'string'; readonly text: string; readonly at: number; readonly end: number }
  | { readonly kind: 'symbol'; readonly text: string; readonly at: number; readonly end: number }
  | { readonly kind: 'end'; readonly text: ''; readonly at: number; readonly end: number };

export class CesqlSyntaxError extends Error {
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(message);
  }
}

const SYMBOLS = ['!=', '<>', '<=', '>=', '(', ')', ',', '=', '<', '>', '+', '-', '*', '/', '%'];
const WORD = /[A-Za-z0-9_]/;
const SPACE = /\s/;

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (SPACE.test(c)) {
      i++;
      continue;
    }
    if (c === "'" || c === '"') {
      const [value, end] = readString(text, i);
      tokens.push({ kind: 'string', text: value, at: i, end });
      i = end;
      continue;
    }
    if (WORD.test(c)) {
      let end = i + 1;
      while (end < text.length && WORD.test(text[end] as string)) end++;
      tokens.push({ kind: 'word', text: text.slice(i, end), at: i, end });
      i = end;
      continue;
    }
    const symbol = SYMBOLS.find((s) => text.startsWith(s, i));
    if (symbol === undefined) throw new CesqlSyntaxError(`unexpected character ${JSON.stringify(c)}`, i);
    tokens.push({ kind: 'symbol', text: symbol, at: i, end: i + symbol.length });
    i += symbol.length;
  }
  tokens.push({ kind: 'end', text: '', at: text.length, end: text.length });
  return tokens;
}

/**
 * §2.2: `'…'` or `"…"`; inside, only the delimiter can be escaped (`\'` or `\"`). Any other
 * backslash is an ordinary character, so `'a\b'` is the three characters a, \ and b.
 */
function readString(text: string, start: number): [string, number] {
  const quote = text[start] as string;
  let value = '';
  let i = start + 1;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === '\\' && text[i + 1] === quote) {
      value += quote;
      i += 2;
    } else if (c === quote) {
      return [value, i + 1];
    } else {
      value += c;
      i++;
    }
  }
  throw new CesqlSyntaxError(`the string starting here is not closed (expected a closing ${quote})`, start);
}
