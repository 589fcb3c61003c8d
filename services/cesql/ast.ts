/** The syntax tree of a CESQL expression (§2). `at` is the node's character offset in the text. */
import type { CesqlValue } from './cesql-value.ts';

export type BinaryOperator = '*' | '/' | '%' | '+' | '-' | '=' | '!=' | '<>' | '<' | '<=' | '>' | '>=' | 'AND' | 'OR' | 'XOR';

export type CesqlNode =
  | { readonly kind: 'literal'; readonly value: CesqlValue; readonly at: number }
  | { readonly kind: 'attribute'; readonly name: string; readonly at: number }
  | { readonly kind: 'exists'; readonly name: string; readonly at: number }
  | { readonly kind: 'not'; readonly operand: CesqlNode; readonly at: number }
  | { readonly kind: 'negate'; readonly operand: CesqlNode; readonly at: number }
  | { readonly kind: 'binary'; readonly operator: BinaryOperator; readonly left: CesqlNode; readonly right: CesqlNode; readonly at: number }
  | { readonly kind: 'like'; readonly operand: CesqlNode; readonly pattern: string; readonly negated: boolean; readonly at: number }
  | { readonly kind: 'in'; readonly operand: CesqlNode; readonly set: readonly CesqlNode[]; readonly negated: boolean; readonly at: number }
  | { readonly kind: 'call'; readonly name: string; readonly args: readonly CesqlNode[]; readonly at: number };
