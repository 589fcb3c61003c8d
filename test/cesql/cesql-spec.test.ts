/**
 * CloudEvents SQL 1.0, section by section (cloudevents/spec cesql/spec.md). Each case names the
 * rule it checks; `value` is what the expression yields and `error` the kind of error it reports
 * (none when absent).
 */
import { describe, expect, it } from 'vitest';
import { type CesqlErrorKind, type CesqlValue, compileCesql, evaluateCesql } from '../../services/cesql/cesql.ts';

const EVENT = { specversion: '1.0', id: 'myId', source: 'http://localhost/source', type: 'com.example.test', time: '2018-04-26T14:48:09+02:00' };

interface Case {
  readonly rule: string;
  readonly expression: string;
  readonly value: CesqlValue;
  readonly error?: CesqlErrorKind;
  readonly event?: Record<string, unknown>;
}

function check(cases: readonly Case[]): void {
  it.each(cases.map((c) => [c.rule, c] as const))('%s', (_rule, c) => {
    const result = evaluateCesql(c.expression, { ...EVENT, ...c.event });
    expect({ value: result.value, error: result.error?.kind }).toEqual({ value: c.value, error: c.error });
  });
}

describe('§2.2 literals', () => {
  check([
    { rule: 'TRUE and FALSE are boolean literals, case-insensitive', expression: 'TRUE AND NOT false', value: true },
    { rule: 'an integer literal', expression: '42', value: 42 },
    { rule: 'an integer literal may carry a sign', expression: '+7 + -3', value: 4 },
    { rule: 'the largest 32-bit integer is a literal', expression: '2147483647', value: 2147483647 },
    { rule: 'the smallest 32-bit integer is a literal (the sign is part of it)', expression: '-2147483648', value: -2147483648 },
    { rule: 'an integer literal past 2147483647 is a parse error', expression: '2147483648', value: false, error: 'parse' },
    { rule: 'an integer literal below -2147483648 is a parse error', expression: '-2147483649', value: false, error: 'parse' },
    { rule: 'a single-quoted string', expression: "'aBc'", value: 'aBc' },
    { rule: 'a double-quoted string', expression: '"AbC"', value: 'AbC' },
    { rule: "\\' escapes the quote in a single-quoted string; \" needs no escape there", expression: `'a"b\\'c'`, value: `a"b'c` },
    { rule: '\\" escapes the quote in a double-quoted string', expression: `"a'b\\"c"`, value: `a'b"c` },
    { rule: 'any other backslash is an ordinary character', expression: `'a\\b'`, value: 'a\\b' },
    { rule: 'an unclosed string is a parse error', expression: "'abc", value: false, error: 'parse' },
  ]);
});

describe('§2.2, §3.2 identifiers and attribute access', () => {
  check([
    { rule: 'a required attribute', expression: 'id', value: 'myId' },
    { rule: 'an optional attribute that is set', expression: 'subject', value: 'mySubject', event: { subject: 'mySubject' } },
    { rule: 'a URI is represented as a String', expression: 'source', value: 'http://localhost/source' },
    { rule: 'a Timestamp is represented as a String', expression: 'time', value: '2018-04-26T14:48:09+02:00' },
    { rule: 'an integer extension keeps the Integer type', expression: 'myint', value: 10, event: { myint: 10 } },
    { rule: 'a boolean extension keeps the Boolean type', expression: 'mybool', value: true, event: { mybool: true } },
    { rule: 'a string extension', expression: 'myext', value: 'my extension', event: { myext: 'my extension' } },
    { rule: 'a missing attribute whose type cannot be determined yields false and missingAttribute', expression: 'subject', value: false, error: 'missingAttribute' },
    { rule: 'true AND (missing = "") is false with missingAttribute', expression: 'true AND (missing = "")', value: false, error: 'missingAttribute' },
    { rule: 'missing * 5 is 0 with missingAttribute (zero of the Integer result)', expression: 'missing * 5', value: 0, error: 'missingAttribute' },
    { rule: '1 / missing is 0 with missingAttribute, not a math error', expression: '1 / missing', value: 0, error: 'missingAttribute' },
    { rule: 'missing / 0 is a missingAttribute error, not a math error', expression: 'missing / 0', value: 0, error: 'missingAttribute' },
    { rule: 'missing % 0 is a missingAttribute error, not a math error', expression: 'missing % 0', value: 0, error: 'missingAttribute' },
    { rule: 'LENGTH(missing) is 0 with missingAttribute', expression: 'LENGTH(missing)', value: 0, error: 'missingAttribute' },
    { rule: 'CESQL: identifiers are case-insensitive like keywords (TCK exists_expression: EXISTS SOURCE)', expression: 'EXISTS specversion AND EXISTS id AND EXISTS type AND EXISTS SOURCE', value: true },
    { rule: 'CESQL: an attribute written in capitals reads the lower-case attribute', expression: "Type = 'com.example.test' AND MyExt = 'x'", value: true, event: { myext: 'x' } },
    { rule: 'identifiers may contain digits', expression: 'ext1', value: 'one', event: { ext1: 'one' } },
  ]);
});

describe('§3.4.1 unary operators', () => {
  check([
    { rule: 'NOT negates a Boolean', expression: 'NOT TRUE', value: false },
    { rule: 'NOT casts a String to Boolean', expression: "NOT 'FALSE'", value: true },
    { rule: 'CESQL: NOT 10 is true with a cast error (TCK not_operator: the failed cast yields false, then NOT applies)', expression: 'NOT 10', value: true, error: 'cast' },
    { rule: 'CESQL: NOT of a string that is not a boolean is true with a cast error', expression: "NOT 'yes'", value: true, error: 'cast' },
    { rule: 'NOT casts TRUE and FALSE strings (TCK not_operator)', expression: "NOT 'TRUE'", value: false },
    { rule: 'NOT of a missing attribute is false with missingAttribute', expression: 'NOT missing', value: false, error: 'missingAttribute' },
    { rule: '- negates an Integer', expression: '-(10)', value: -10 },
    { rule: '- twice', expression: '--10', value: 10 },
    { rule: '- casts a String to Integer', expression: "-'10'", value: -10 },
    { rule: '- twice with a cast', expression: "--'10'", value: 10 },
    { rule: '- casts a Boolean to Integer', expression: '-TRUE', value: -1 },
    { rule: '- of a missing attribute is 0 with missingAttribute', expression: '-missing', value: 0, error: 'missingAttribute' },
    { rule: '- of a string that is no integer is 0 with a cast error', expression: "-'abc'", value: 0, error: 'cast' },
    { rule: '- of -2147483648 wraps in 32 bits', expression: '-(-2147483648)', value: -2147483648 },
  ]);
});

describe('§3.4.2 binary operators: comparison', () => {
  check([
    { rule: 'Boolean = Boolean', expression: 'FALSE = FALSE', value: true },
    { rule: 'Integer = Integer', expression: '1 = 2', value: false },
    { rule: 'String = String is case-sensitive', expression: "'abc' = 'ABC'", value: false },
    { rule: '!= is NOT =', expression: "'abc' != '123'", value: true },
    { rule: '<> is NOT =', expression: '2 <> 2', value: false },
    { rule: '<', expression: '1 < 2', value: true },
    { rule: '< is strict', expression: '2 < 2', value: false },
    { rule: '<=', expression: '2 <= 2', value: true },
    { rule: '>', expression: '2 > 2', value: false },
    { rule: '>=', expression: '2 >= 3', value: false },
    { rule: '< casts String operands to Integer (hop < ttl)', expression: 'hop < ttl', value: true, event: { hop: '5', ttl: '10' } },
    { rule: '< with a string that is no integer is false with a cast error', expression: "'a' < 2", value: false, error: 'cast' },
    { rule: '= with a missing attribute is false with missingAttribute', expression: 'missing = 2', value: false, error: 'missingAttribute' },
    { rule: '!= with a missing attribute is false with missingAttribute', expression: 'missing != 2', value: false, error: 'missingAttribute' },
    { rule: '<> with a missing attribute is false with missingAttribute', expression: 'missing <> 2', value: false, error: 'missingAttribute' },
    { rule: '<= with a missing attribute is false with missingAttribute', expression: 'missing <= 2', value: false, error: 'missingAttribute' },
  ]);
});

describe('§3.4.2 binary operators: arithmetic with 32-bit integers', () => {
  check([
    { rule: '* / bind tighter than +', expression: '4 * 2 + 4 / 2', value: 10 },
    { rule: 'parentheses group', expression: '4 * (2 + 4) / 2', value: 12 },
    { rule: '/ truncates towards zero', expression: '5 / 3', value: 1 },
    { rule: '/ truncates towards zero for negative quotients', expression: '-7 / 2', value: -3 },
    { rule: '% has the sign of the dividend', expression: '-7 % 3', value: -1 },
    { rule: '% with a negative divisor keeps the dividend sign', expression: '7 % -3', value: 1 },
    { rule: '/ by zero is 0 with a math error', expression: '5 / 0', value: 0, error: 'math' },
    { rule: '% by zero is 0 with a math error', expression: '5 % 0', value: 0, error: 'math' },
    { rule: '+ of a negative and a positive', expression: '-4 + 1', value: -3 },
    { rule: '- of two negatives', expression: '-4 - -1', value: -3 },
    { rule: '+ overflows as 32-bit two-complement arithmetic', expression: '2147483647 + 1', value: -2147483648 },
    { rule: '* overflows as 32-bit two-complement arithmetic', expression: '65536 * 65536', value: 0 },
    { rule: '-2147483648 / -1 wraps as 32-bit arithmetic', expression: '-2147483648 / -1', value: -2147483648 },
    { rule: 'a String operand on the left is cast to Integer', expression: "'5' + 3", value: 8 },
    { rule: 'a String operand on the right is cast to Integer', expression: "5 + '3'", value: 8 },
    { rule: 'two String operands are cast to Integer', expression: "'5' + '3'", value: 8 },
    { rule: 'a Boolean operand is cast to Integer', expression: '5 + TRUE', value: 6 },
    { rule: 'a String that is no integer is 0 with a cast error', expression: "5 + 'five'", value: 0, error: 'cast' },
    { rule: 'a String past 32 bits is a cast error', expression: "'2147483648' + 0", value: 0, error: 'cast' },
  ]);
});

describe('§3.4.2 binary operators: logic and short-circuit evaluation', () => {
  check([
    { rule: 'AND truth table: false, false', expression: 'FALSE AND FALSE', value: false },
    { rule: 'AND truth table: true, false', expression: 'TRUE AND FALSE', value: false },
    { rule: 'AND truth table: true, true', expression: 'TRUE AND TRUE', value: true },
    { rule: 'OR truth table: false, false', expression: 'FALSE OR FALSE', value: false },
    { rule: 'OR truth table: false, true', expression: 'FALSE OR TRUE', value: true },
    { rule: 'XOR truth table: true, true', expression: 'TRUE XOR TRUE', value: false },
    { rule: 'XOR truth table: false, true', expression: 'FALSE XOR TRUE', value: true },
    { rule: 'AND does not evaluate its right operand when the left is false', expression: 'false AND (1 != 1 / 0)', value: false },
    { rule: 'AND evaluates its right operand when the left is true', expression: 'true AND (1 != 1 / 0)', value: false, error: 'math' },
    { rule: 'OR does not evaluate its right operand when the left is true', expression: 'true OR (1 != 1 / 0)', value: true },
    { rule: 'OR evaluates its right operand when the left is false', expression: 'false OR (1 != 1 / 0)', value: false, error: 'math' },
    { rule: 'XOR always evaluates both operands', expression: 'true XOR (1 != 1 / 0)', value: false, error: 'math' },
    { rule: 'AND does not read a missing attribute on the right when the left is false', expression: 'false AND missing', value: false },
    { rule: 'operands are cast to Boolean', expression: "'true' AND 1", value: true },
    { rule: 'a String that is no boolean is a cast error', expression: "TRUE AND 'x'", value: false, error: 'cast' },
    { rule: 'a chain of ANDs stops at the first false, before a later error', expression: "EXISTS id AND FALSE AND (1 / 0 = 0)", value: false },
    { rule: 'a chain of ANDs reports an error met before any false', expression: "EXISTS id AND missing = 'x' AND FALSE", value: false, error: 'missingAttribute' },
    { rule: 'a chain of ORs stops at the first true', expression: "EXISTS nothing OR type = 'com.example.test' OR missing = 1", value: true },
    { rule: 'a chain of ORs with no true operand is false', expression: "EXISTS nothing OR FALSE OR id = 'other'", value: false },
  ]);
});

describe('§3.4.3 LIKE', () => {
  check([
    { rule: 'a pattern without wildcards matches exactly', expression: "'abc' LIKE 'abc'", value: true },
    { rule: 'a backslash not before % or _ is an ordinary character', expression: "'ab\\c' LIKE 'ab\\c'", value: true },
    { rule: 'NOT LIKE negates', expression: "'abc' NOT LIKE 'abc'", value: false },
    { rule: '% matches any run of characters', expression: "'azzzbzzzc' LIKE 'a%b%c'", value: true },
    { rule: '% matches the empty run', expression: "'abc' LIKE 'a%b%c'", value: true },
    { rule: '% does not make other characters optional', expression: "'ac' LIKE 'abc'", value: false },
    { rule: 'the empty string only matches patterns that allow it', expression: "'' LIKE 'abc'", value: false },
    { rule: '. in a pattern is an ordinary character', expression: "'ab.cde' LIKE '.%.%.'", value: false },
    { rule: '_ matches exactly one character', expression: "'azbzc' LIKE 'a_b_c'", value: true },
    { rule: '_ does not match zero characters', expression: "'abc' LIKE 'a_b_c'", value: false },
    { rule: '_ matches one Unicode character, not one UTF-16 unit', expression: "'a😀c' LIKE 'a_c'", value: true },
    { rule: '\\_ matches an underscore only', expression: "'azbzc' LIKE 'a\\_b\\_c'", value: false },
    { rule: '\\_ matches an underscore', expression: "'a_b_c' LIKE 'a\\_b\\_c'", value: true },
    { rule: '\\% matches a percent sign only', expression: "'abc' LIKE 'a\\%b\\%c'", value: false },
    { rule: '\\% matches a percent sign', expression: "'a%b%c' LIKE 'a\\%b\\%c'", value: true },
    { rule: 'matching is case-sensitive', expression: "'aBc' LIKE '_b%'", value: false },
    { rule: 'an attribute with wildcards and escapes', expression: "myext LIKE 'abc%123\\%456\\_d_f'", value: true, event: { myext: 'abc123123%456_dzf' } },
    { rule: 'a prefix pattern', expression: "source LIKE 'http://%'", value: true },
    { rule: 'a suffix pattern', expression: "type LIKE '%.test'", value: true },
    { rule: 'a contains pattern', expression: "type LIKE '%example%'", value: true },
    { rule: 'regular-expression characters are ordinary', expression: "'a+b(c)' LIKE 'a+b(_)'", value: true },
    { rule: 'an Integer left operand is cast to String', expression: "234 LIKE '23_'", value: true },
    { rule: 'an Integer left operand is cast to String (no match)', expression: "2344 LIKE '23_'", value: false },
    { rule: 'a Boolean left operand is cast to String', expression: "TRUE LIKE 'tr%'", value: true },
    { rule: 'an integer attribute is cast to String', expression: "myint LIKE '1_'", value: true, event: { myint: 10 } },
    { rule: 'a missing attribute is false with missingAttribute', expression: "myext LIKE 'custom%'", value: false, error: 'missingAttribute' },
    { rule: 'the pattern must be a string literal (parse error otherwise)', expression: 'type LIKE source', value: false, error: 'parse' },
  ]);
});

describe('§3.4.4 EXISTS', () => {
  check([
    { rule: 'EXISTS is true for a present attribute', expression: 'EXISTS subject', value: true, event: { subject: 'x' } },
    { rule: 'EXISTS is false for an absent attribute, without an error', expression: 'EXISTS subject', value: false },
    { rule: 'EXISTS is always true for a required attribute', expression: 'EXISTS id AND EXISTS source AND EXISTS type AND EXISTS specversion', value: true },
    { rule: 'EXISTS needs an identifier', expression: "EXISTS 'id'", value: false, error: 'parse' },
  ]);
});

describe('§3.4.5 IN', () => {
  check([
    { rule: 'true when the value equals an element', expression: "type IN ('a', 'com.example.test')", value: true },
    { rule: 'false when it equals none', expression: "type IN ('a', 'b')", value: false },
    { rule: 'NOT IN negates', expression: "type NOT IN ('a', 'b')", value: true },
    { rule: "elements are cast to the left operand's type", expression: "'5' IN (1, 5)", value: true },
    { rule: 'an Integer left operand casts String elements', expression: "5 IN ('5', '6')", value: true },
    { rule: 'an element that cannot be cast is a cast error', expression: "5 IN (1, 'a')", value: false, error: 'cast' },
    { rule: 'elements may be expressions', expression: 'sequence IN (1 + 1, 2 * 5)', value: true, event: { sequence: '10' } },
    { rule: 'elements may be attributes', expression: 'id IN (subject, source)', value: true, event: { subject: 'myId' } },
    { rule: 'a missing attribute on the left is false with missingAttribute', expression: "missing IN ('a')", value: false, error: 'missingAttribute' },
    { rule: 'an empty set is a parse error (n > 0)', expression: 'type IN ()', value: false, error: 'parse' },
  ]);
});

describe('§3.5.1 string functions', () => {
  check([
    { rule: 'LENGTH counts characters', expression: "LENGTH('abc')", value: 3 },
    { rule: 'LENGTH of the empty string', expression: "LENGTH('')", value: 0 },
    { rule: 'LENGTH counts Unicode characters, not UTF-16 units', expression: "LENGTH('😀é')", value: 2 },
    { rule: 'LENGTH casts its argument to String', expression: 'LENGTH(TRUE)', value: 4 },
    { rule: 'CONCAT of several strings', expression: "CONCAT('a', 'b', 'c')", value: 'abc' },
    { rule: 'CONCAT of nothing', expression: 'CONCAT()', value: '' },
    { rule: 'CONCAT casts its arguments', expression: "CONCAT('a', 1, TRUE)", value: 'a1true' },
    { rule: 'CONCAT_WS puts the delimiter between', expression: "CONCAT_WS(',', 'a', 'b', 'c')", value: 'a,b,c' },
    { rule: 'CONCAT_WS with the delimiter only', expression: "CONCAT_WS(',')", value: '' },
    { rule: 'CONCAT_WS with one string', expression: "CONCAT_WS(',', 'a')", value: 'a' },
    { rule: 'CONCAT_WS without arguments does not exist', expression: 'CONCAT_WS()', value: false, error: 'missingFunction' },
    { rule: 'LOWER', expression: "LOWER('AbC')", value: 'abc' },
    { rule: 'UPPER', expression: "UPPER('AbC')", value: 'ABC' },
    { rule: 'TRIM removes leading and trailing spaces', expression: "TRIM('   a b c   ')", value: 'a b c' },
    { rule: 'TRIM removes Unicode white space (U+0085, U+3000)', expression: "TRIM('\u0085\u3000a\u2029')", value: 'a' },
    { rule: 'TRIM keeps characters that are not Unicode white space (U+FEFF)', expression: "TRIM('\uFEFFa')", value: '\uFEFFa' },
    { rule: 'LEFT takes the first characters', expression: "LEFT('abc', 2)", value: 'ab' },
    { rule: 'LEFT past the length is the string', expression: "LEFT('abc', 10)", value: 'abc' },
    { rule: 'LEFT of the empty string', expression: "LEFT('', 0)", value: '' },
    { rule: 'LEFT with a negative length returns the string and a functionEvaluation error', expression: "LEFT('abc', -2)", value: 'abc', error: 'functionEvaluation' },
    { rule: 'RIGHT takes the last characters', expression: "RIGHT('abc', 2)", value: 'bc' },
    { rule: 'RIGHT past the length is the string', expression: "RIGHT('abc', 10)", value: 'abc' },
    { rule: 'RIGHT of zero characters', expression: "RIGHT('abc', 0)", value: '' },
    { rule: 'RIGHT with a negative length returns the string and a functionEvaluation error', expression: "RIGHT('abc', -2)", value: 'abc', error: 'functionEvaluation' },
    { rule: 'SUBSTRING from position 1 is the whole string', expression: "SUBSTRING('abcdef', 1)", value: 'abcdef' },
    { rule: 'SUBSTRING from a position', expression: "SUBSTRING('Quadratically', 5)", value: 'ratically' },
    { rule: 'SUBSTRING from a negative position counts from the end', expression: "SUBSTRING('Sakila', -3)", value: 'ila' },
    { rule: 'SUBSTRING with a length', expression: "SUBSTRING('abcdef', 2, 4)", value: 'bcde' },
    { rule: 'SUBSTRING from a negative position with a length', expression: "SUBSTRING('Sakila', -5, 3)", value: 'aki' },
    { rule: 'SUBSTRING with a length past the end is the maximum substring', expression: "SUBSTRING('abcdef', 5, 10)", value: 'ef' },
    { rule: 'SUBSTRING from position 0 is the empty string', expression: "SUBSTRING('Quadratically', 0)", value: '' },
    { rule: 'SUBSTRING from position 0 with a length is the empty string', expression: "SUBSTRING('Quadratically', 0, 1)", value: '' },
    { rule: 'SUBSTRING from the last position', expression: "SUBSTRING('abcdef', 6)", value: 'f' },
    { rule: 'SUBSTRING past the length is empty with a functionEvaluation error', expression: "SUBSTRING('abcdef', 10)", value: '', error: 'functionEvaluation' },
    { rule: 'SUBSTRING before -length is empty with a functionEvaluation error', expression: "SUBSTRING('abcdef', -10)", value: '', error: 'functionEvaluation' },
    { rule: 'SUBSTRING with a negative length is empty with a functionEvaluation error', expression: "SUBSTRING('abcdef', 2, -1)", value: '', error: 'functionEvaluation' },
    { rule: 'SUBSTRING counts Unicode characters', expression: "SUBSTRING('a😀c', 2, 1)", value: '😀' },
    { rule: 'an argument that cannot be cast is a cast error with the zero value', expression: "LEFT('abc', 'x')", value: '', error: 'cast' },
  ]);
});

describe('§3.5.2 math functions', () => {
  check([
    { rule: 'ABS of a positive', expression: 'ABS(10)', value: 10 },
    { rule: 'ABS of a negative', expression: 'ABS(-10)', value: 10 },
    { rule: 'ABS of zero', expression: 'ABS(0)', value: 0 },
    { rule: 'ABS(-2147483648) is 2147483647 with a math error', expression: 'ABS(-2147483648)', value: 2147483647, error: 'math' },
  ]);
});

describe('§3.5 function dispatch', () => {
  check([
    { rule: 'function names are case-insensitive', expression: "length('ab') = LeNgTh('cd')", value: true },
    { rule: 'an unknown function is false with missingFunction', expression: 'NOPE(1)', value: false, error: 'missingFunction' },
    { rule: 'a known function with the wrong arity is false with missingFunction', expression: "LENGTH('a', 'b')", value: false, error: 'missingFunction' },
    { rule: 'SUBSTRING is overloaded on arity', expression: "SUBSTRING('abc', 2) = SUBSTRING('abc', 2, 5)", value: true },
    { rule: 'a function result enclosing an error is the zero value', expression: "LENGTH(LEFT('abc', -2))", value: 0, error: 'functionEvaluation' },
  ]);
});

describe('§3.6 precedence and grouping', () => {
  check([
    { rule: 'equal precedence groups left to right: (a OR b) AND c', expression: 'TRUE OR TRUE AND FALSE', value: false },
    { rule: 'parentheses override precedence', expression: 'TRUE OR (TRUE AND FALSE)', value: true },
    { rule: 'NOT binds tighter than =', expression: 'NOT TRUE = FALSE', value: true },
    { rule: 'LIKE binds tighter than AND', expression: "type LIKE 'com%' AND id = 'myId'", value: true },
    { rule: 'arithmetic binds tighter than comparison', expression: '1 + 1 = 2', value: true },
    { rule: '- then + left to right', expression: '10 - 2 + 3', value: 11 },
    { rule: 'keywords are case-insensitive', expression: 'int(hop) < int(ttl) and int(hop) < 1000', value: true, event: { hop: '5', ttl: '10' } },
    { rule: 'a nested sub expression', expression: '((2 + 3)) * 4', value: 20 },
    { rule: 'an unbalanced parenthesis is a parse error', expression: '(1 + 2', value: false, error: 'parse' },
    { rule: 'a dangling operator is a parse error', expression: 'TRUE AND', value: false, error: 'parse' },
    { rule: 'an unknown character is a parse error', expression: 'a & b', value: false, error: 'parse' },
    { rule: 'the empty expression is a parse error', expression: '   ', value: false, error: 'parse' },
  ]);
});

describe('§3.7 casting', () => {
  check([
    { rule: 'INT of a numeric string', expression: "INT('-1')", value: -1 },
    { rule: 'INT accepts a leading +', expression: "INT('+12')", value: 12 },
    { rule: 'INT of TRUE is 1', expression: 'INT(TRUE)', value: 1 },
    { rule: 'INT of FALSE is 0', expression: 'INT(FALSE)', value: 0 },
    { rule: 'INT of a non-number is 0 with a cast error', expression: "INT('ABC')", value: 0, error: 'cast' },
    { rule: 'INT of a decimal is 0 with a cast error', expression: "INT('1.5')", value: 0, error: 'cast' },
    { rule: 'INT of a string past 32 bits is 0 with a cast error', expression: "INT('99999999999')", value: 0, error: 'cast' },
    { rule: 'BOOL is case-insensitive', expression: "BOOL('TRUE')", value: true },
    { rule: 'BOOL of "false"', expression: 'BOOL("false")', value: false },
    { rule: 'BOOL of another string is false with a cast error', expression: "BOOL('ABC')", value: false, error: 'cast' },
    { rule: 'BOOL of 0 is false', expression: 'BOOL(0)', value: false },
    { rule: 'BOOL of a non-zero integer is true', expression: 'BOOL(-50)', value: true },
    { rule: 'STRING of TRUE is "true"', expression: 'STRING(TRUE)', value: 'true' },
    { rule: 'STRING of a negative integer', expression: 'STRING(-1)', value: '-1' },
    { rule: 'STRING of a string is itself', expression: "STRING('abc')", value: 'abc' },
    { rule: 'IS_INT says whether a cast to Integer would succeed', expression: "IS_INT('12') AND NOT IS_INT('1x')", value: true },
    { rule: 'IS_BOOL says whether a cast to Boolean would succeed', expression: "IS_BOOL('False') AND NOT IS_BOOL('no')", value: true },
    { rule: '= casts the left operand to the right one\'s type: TRUE = "true"', expression: "TRUE = 'true' AND FALSE = 'false'", value: true },
    { rule: '= cast to String is case-sensitive: TRUE = "TRUE" is false', expression: "TRUE = 'TRUE' OR FALSE = 'FALSE'", value: false },
    { rule: '= with a Boolean on the right casts the String on the left', expression: "'TRUE' = true", value: true },
    { rule: '= with an Integer on the right casts the attribute (sequence = 10)', expression: 'sequence = 10', value: true, event: { sequence: '10' } },
    { rule: '= with an Integer on the right and a non-numeric attribute is a cast error', expression: 'sequence = 10', value: false, error: 'cast', event: { sequence: 'ten' } },
    { rule: 'an integer extension compares with a string literal as a String', expression: "myint = '10'", value: true, event: { myint: 10 } },
  ]);
});

describe('§5 the specification examples', () => {
  check([
    { rule: 'EXISTS subject', expression: 'EXISTS subject', value: true, event: { subject: 'Francesco Guardiani' } },
    { rule: "firstname = 'Francesco'", expression: "firstname = 'Francesco'", value: true, event: { firstname: 'Francesco' } },
    { rule: 'firstname or subject', expression: "firstname = 'Francesco' OR subject = 'Francesco'", value: true, event: { firstname: 'Doug', subject: 'Francesco' } },
    {
      rule: 'a conjunction or a subject',
      expression: "(firstname = 'Francesco' AND lastname = 'Guardiani') OR subject = 'Francesco Guardiani'",
      value: true,
      event: { firstname: 'Doug', lastname: 'Davis', subject: 'Francesco Guardiani' },
    },
    { rule: 'sequence = 10 with the numeric extension', expression: 'sequence = 10', value: true, event: { sequence: 10 } },
    { rule: 'hop < ttl', expression: 'hop < ttl', value: true, event: { hop: 5, ttl: 10 } },
  ]);
});

describe('§1.2 as a filter', () => {
  it('matches only on the Boolean true without an error', () => {
    const compile = (text: string) => {
      const outcome = compileCesql(text);
      if (!outcome.ok) throw new Error(outcome.error.message);
      return outcome.expression;
    };
    expect(compile("type = 'com.example.test'").matches(EVENT)).toBe(true);
    expect(compile("type = 'other'").matches(EVENT)).toBe(false);
    expect(compile('1').matches(EVENT)).toBe(false);
    expect(compile("'true'").matches(EVENT)).toBe(false);
    expect(compile('true OR missing').matches(EVENT)).toBe(true);
    expect(compile('NOT (missing = 1)').matches(EVENT)).toBe(false);
  });

  it('reports where a parse error is and lists calls to unknown functions before any event', () => {
    const outcome = compileCesql("type = 'x' AND source LIKE");
    expect(outcome).toEqual({ ok: false, error: { kind: 'parse', message: expect.stringMatching(/LIKE needs a string literal/), at: 26 } });
    const unknown = compileCesql("type = 'x' OR NOPE(id)");
    expect(unknown.ok && unknown.expression.problems).toEqual([{ kind: 'missingFunction', message: 'there is no function NOPE taking 1 argument', at: 14 }]);
  });

  it('does not change the event it reads', () => {
    const event = { ...EVENT, myint: 5 };
    const before = JSON.stringify(event);
    evaluateCesql("myint + 1 = 6 AND LOWER(type) LIKE '%test' AND CONCAT(id, 'x') = 'myIdx'", event);
    expect(JSON.stringify(event)).toBe(before);
  });
});
