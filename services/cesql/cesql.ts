/**
 * CloudEvents SQL Expression Language 1.0 (cloudevents/spec, cesql/spec.md): parse once, compile
 * to a closure, evaluate against an event's attributes. Pure: the only input is the attributes.
 *
 *   compileCesql("type = 'x' AND EXISTS subject")  →  { ok: true, expression }
 *   expression.evaluate(attributes)                 →  { value, error }
 *
 * A syntax error is a `parse` error with the offset where it was found. An expression that calls a
 * function that does not exist compiles (its value is false with a missingFunction error, §3.5);
 * `problems` lists such calls so that a configuration loader can refuse them up front.
 */
import type { CesqlNode } from './ast.ts';
import type { CesqlError, CesqlValue } from './cesql-value.ts';
import { compileNode, type EvaluationContext } from './compile.ts';
import { CesqlSyntaxError, parseCesql } from './parser.ts';

export type { CesqlError, CesqlErrorKind, CesqlValue } from './cesql-value.ts';

export interface CesqlResult {
  readonly value: CesqlValue;
  readonly error: CesqlError | undefined;
}

export interface CompiledCesql {
  readonly text: string;
  evaluate(attributes: Readonly<Record<string, unknown>>): CesqlResult;
  /** True only for the Boolean true with no error (§1.2: how a filter reads a result). */
  matches(attributes: Readonly<Record<string, unknown>>): boolean;
  /** Errors known before any event: calls to functions that do not exist. */
  readonly problems: readonly CesqlError[];
}

const EMPTY: Readonly<Record<string, unknown>> = Object.freeze({});

export type CompileOutcome = { readonly ok: true; readonly expression: CompiledCesql } | { readonly ok: false; readonly error: CesqlError };

export function compileCesql(text: string): CompileOutcome {
  let tree: CesqlNode;
  try {
    tree = parseCesql(text);
  } catch (error) {
    if (error instanceof CesqlSyntaxError) return { ok: false, error: { kind: 'parse', message: error.message, at: error.at } };
    throw error;
  }
  const problems: CesqlError[] = [];
  const { evaluate } = compileNode(tree, problems);
  const reused: EvaluationContext = { attributes: EMPTY, error: undefined };
  return {
    ok: true,
    expression: {
      text,
      problems,
      evaluate(attributes) {
        const context: EvaluationContext = { attributes, error: undefined };
        const value = evaluate(context);
        return { value, error: context.error };
      },
      matches(attributes) {
        // One context reused: evaluation is synchronous and never re-enters, and a filter runs
        // this for every event.
        reused.attributes = attributes;
        reused.error = undefined;
        const matched = evaluate(reused) === true && reused.error === undefined;
        reused.attributes = EMPTY;
        return matched;
      },
    },
  };
}

/** Evaluates an expression once: a parse error is returned as the result's error, with the value false. */
export function evaluateCesql(text: string, attributes: Readonly<Record<string, unknown>>): CesqlResult {
  const compiled = compileCesql(text);
  if (!compiled.ok) return { value: false, error: compiled.error };
  return compiled.expression.evaluate(attributes);
}
