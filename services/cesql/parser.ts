/**
 * Parses CESQL 1.0 (§2) into a syntax tree, with the precedence of §3.6, highest first:
 * function invocations; unary NOT and -; LIKE; EXISTS; IN; `* / %`; `+ -`; comparisons;
 * AND, OR, XOR. Operators of equal precedence group left to right (§3.6), so `a OR b AND c`
 * is `(a OR b) AND c`.
 */
import type { BinaryOperator, CesqlNode } from './ast.ts';
import { INT32_MAX, INT32_MIN } from './cesql-value.ts';
import { CesqlSyntaxError, type Token, tokenize } from './lexer.ts';

const KEYWORDS = new Set(['AND', 'OR', 'XOR', 'NOT', 'LIKE', 'IN', 'EXISTS', 'TRUE', 'FALSE']);
const IDENTIFIER = /^[a-z0-9]+$/;
const FUNCTION_NAME = /^[A-Za-z][A-Za-z_]*$/;
const DIGITS = /^[0-9]+$/;

const LEVELS: ReadonlyArray<readonly BinaryOperator[]> = [
  ['AND', 'OR', 'XOR'],
  ['=', '!=', '<>', '<', '<=', '>', '>='],
  ['+', '-'],
  ['*', '/', '%'],
];

export { CesqlSyntaxError };

export function parseCesql(text: string): CesqlNode {
  return new Parser(text).parse();
}

class Parser {
  readonly #tokens: Token[];
  #next = 0;

  constructor(text: string) {
    this.#tokens = tokenize(text);
  }

  parse(): CesqlNode {
    if (this.#peek().kind === 'end') throw new CesqlSyntaxError('the expression is empty', 0);
    const node = this.#binary(0);
    const rest = this.#peek();
    if (rest.kind !== 'end') throw new CesqlSyntaxError(`expected an operator or the end of the expression, found ${describe(rest)}`, rest.at);
    return node;
  }

  #peek(ahead = 0): Token {
    return this.#tokens[Math.min(this.#next + ahead, this.#tokens.length - 1)] as Token;
  }

  #take(): Token {
    const token = this.#peek();
    if (token.kind !== 'end') this.#next++;
    return token;
  }

  #isKeyword(token: Token, keyword: string): boolean {
    return token.kind === 'word' && token.text.toUpperCase() === keyword;
  }

  #binary(level: number): CesqlNode {
    const operators = LEVELS[level];
    if (operators === undefined) return this.#postfix();
    let left = this.#binary(level + 1);
    for (;;) {
      const token = this.#peek();
      const text = token.kind === 'word' ? token.text.toUpperCase() : token.kind === 'symbol' ? token.text : '';
      const operator = operators.find((o) => o === text);
      if (operator === undefined) return left;
      this.#take();
      const right = this.#binary(level + 1);
      left = { kind: 'binary', operator, left, right, at: token.at };
    }
  }

  /** `x [NOT] LIKE 'pattern'` and `x [NOT] IN (…)`, which bind tighter than every binary operator. */
  #postfix(): CesqlNode {
    let operand = this.#unary();
    for (;;) {
      const token = this.#peek();
      const negated = this.#isKeyword(token, 'NOT');
      const keyword = this.#peek(negated ? 1 : 0);
      if (this.#isKeyword(keyword, 'LIKE')) {
        this.#next += negated ? 2 : 1;
        const pattern = this.#take();
        if (pattern.kind !== 'string') throw new CesqlSyntaxError(`LIKE needs a string literal as its pattern (§3.4.3), found ${describe(pattern)}`, pattern.at);
        operand = { kind: 'like', operand, pattern: pattern.text, negated, at: token.at };
      } else if (this.#isKeyword(keyword, 'IN')) {
        this.#next += negated ? 2 : 1;
        operand = { kind: 'in', operand, set: this.#set(), negated, at: token.at };
      } else return operand;
    }
  }

  #set(): CesqlNode[] {
    const open = this.#take();
    if (open.text !== '(') throw new CesqlSyntaxError(`IN needs a parenthesised list, found ${describe(open)}`, open.at);
    const items = [this.#binary(0)];
    while (this.#peek().text === ',') {
      this.#take();
      items.push(this.#binary(0));
    }
    this.#expect(')', 'to close the IN list');
    return items;
  }

  #unary(): CesqlNode {
    const token = this.#peek();
    if (this.#isKeyword(token, 'NOT')) {
      this.#take();
      return { kind: 'not', operand: this.#unary(), at: token.at };
    }
    if (this.#isKeyword(token, 'EXISTS')) {
      this.#take();
      const name = this.#take();
      const identifier = name.text.toLowerCase();
      if (name.kind !== 'word' || !IDENTIFIER.test(identifier) || DIGITS.test(identifier) || KEYWORDS.has(name.text.toUpperCase())) {
        throw new CesqlSyntaxError(`EXISTS needs an attribute name, found ${describe(name)}`, name.at);
      }
      return { kind: 'exists', name: identifier, at: token.at };
    }
    if (token.text === '-' || token.text === '+') {
      const digits = this.#peek(1);
      // §2.2: a sign written against the digits belongs to the literal, so -2147483648 is in range.
      if (digits.kind === 'word' && DIGITS.test(digits.text) && digits.at === token.end) {
        this.#next += 2;
        return this.#integer(`${token.text}${digits.text}`, token.at);
      }
      if (token.text === '-') {
        this.#take();
        return { kind: 'negate', operand: this.#unary(), at: token.at };
      }
    }
    return this.#primary();
  }

  #primary(): CesqlNode {
    const token = this.#take();
    if (token.kind === 'string') return { kind: 'literal', value: token.text, at: token.at };
    if (token.kind === 'symbol' && token.text === '(') {
      const inner = this.#binary(0);
      this.#expect(')', 'to close the parenthesis');
      return inner;
    }
    if (token.kind !== 'word') throw new CesqlSyntaxError(`expected a value, an attribute, a function or "(", found ${describe(token)}`, token.at);
    if (this.#peek().text === '(' && this.#peek().kind === 'symbol') return this.#call(token);
    const upper = token.text.toUpperCase();
    if (upper === 'TRUE' || upper === 'FALSE') return { kind: 'literal', value: upper === 'TRUE', at: token.at };
    if (DIGITS.test(token.text)) return this.#integer(token.text, token.at);
    if (KEYWORDS.has(upper)) throw new CesqlSyntaxError(`expected a value, an attribute, a function or "(", found the keyword ${upper}`, token.at);
    // Identifiers are case-insensitive like keywords (the TCK's `EXISTS SOURCE` is true); every
    // CloudEvents attribute name is lower case, so the identifier is read in lower case.
    const identifier = token.text.toLowerCase();
    if (!IDENTIFIER.test(identifier)) {
      throw new CesqlSyntaxError(`${JSON.stringify(token.text)} is not an attribute name: attribute names are letters and digits (§2.2)`, token.at);
    }
    return { kind: 'attribute', name: identifier, at: token.at };
  }

  #call(name: Token): CesqlNode {
    if (!FUNCTION_NAME.test(name.text)) throw new CesqlSyntaxError(`${JSON.stringify(name.text)} is not a function name: letters and _ only (§2.4)`, name.at);
    this.#take();
    const args: CesqlNode[] = [];
    if (this.#peek().text !== ')') {
      args.push(this.#binary(0));
      while (this.#peek().text === ',') {
        this.#take();
        args.push(this.#binary(0));
      }
    }
    this.#expect(')', `to close the arguments of ${name.text.toUpperCase()}`);
    return { kind: 'call', name: name.text.toUpperCase(), args, at: name.at };
  }

  #integer(text: string, at: number): CesqlNode {
    const value = Number(text);
    if (value < INT32_MIN || value > INT32_MAX) {
      throw new CesqlSyntaxError(`the integer ${text} is out of range (expected -2147483648 to 2147483647, §2.2)`, at);
    }
    return { kind: 'literal', value: value === 0 ? 0 : value, at };
  }

  #expect(symbol: string, why: string): void {
    const token = this.#take();
    if (token.text !== symbol || token.kind !== 'symbol') throw new CesqlSyntaxError(`expected "${symbol}" ${why}, found ${describe(token)}`, token.at);
  }
}

function describe(token: Token): string {
  if (token.kind === 'end') return 'the end of the expression';
  if (token.kind === 'string') return `the string ${JSON.stringify(token.text)}`;
  return `"${token.text}"`;
}
