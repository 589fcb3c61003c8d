import { type CesqlResult, type CompiledCesql, compileCesql } from '../../cesql/cesql.ts';
import { SwitchyardError } from '../../errors.ts';
import { type Command, consoleOutput } from '../command.ts';
import { stringOption } from '../option-values.ts';
import { jsonValues, readInput } from '../read-input.ts';

interface ResultJson {
  readonly value: unknown;
  readonly error: { readonly kind: string; readonly message: string } | null;
}

/** Attributes of an event in the JSON event format; `data` and `data_base64` are not attributes (CESQL never reads data). */
function attributesOf(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SwitchyardError('SWY_USAGE', `${where} is not a JSON object (expected an event in the JSON event format)`);
  }
  const { data: _data, data_base64: _base64, ...attributes } = value as Record<string, unknown>;
  return attributes;
}

function toJson(result: CesqlResult): ResultJson {
  if (result.error === undefined) return { value: result.value, error: null };
  const where = result.error.kind === 'parse' ? ` (at character ${result.error.at + 1})` : '';
  return { value: result.value, error: { kind: result.error.kind, message: `${result.error.message}${where}` } };
}

/** Compiles each distinct expression once. */
class Evaluator {
  readonly #compiled = new Map<string, CompiledCesql | ResultJson>();

  evaluate(expression: string, attributes: Record<string, unknown>): ResultJson {
    let compiled = this.#compiled.get(expression);
    if (compiled === undefined) {
      const outcome = compileCesql(expression);
      compiled = outcome.ok ? outcome.expression : toJson({ value: false, error: outcome.error });
      this.#compiled.set(expression, compiled);
    }
    return 'evaluate' in compiled ? toJson(compiled.evaluate(attributes)) : compiled;
  }
}

/** One event, a JSON array of events, or JSON lines. */
function readEvents(source: string): Array<Record<string, unknown>> {
  return jsonValues(readInput(source, 'event'), source === '-' ? 'stdin' : source).map(({ value, where }) => attributesOf(value, where));
}

function batchLine(evaluator: Evaluator, line: string, number: number): ResultJson {
  let request: unknown;
  try {
    request = JSON.parse(line);
  } catch (error) {
    return { value: false, error: { kind: 'generic', message: `line ${number} is not JSON: ${(error as Error).message}` } };
  }
  const { expression, event } = (request ?? {}) as { expression?: unknown; event?: unknown };
  if (typeof expression !== 'string') return { value: false, error: { kind: 'generic', message: `line ${number}: "expression" must be a string` } };
  try {
    return evaluator.evaluate(expression, event === undefined ? {} : attributesOf(event, `line ${number}: "event"`));
  } catch (error) {
    return { value: false, error: { kind: 'generic', message: (error as Error).message } };
  }
}

export const cesqlCommand: Command = {
  name: 'cesql',
  summary: 'Evaluate a CloudEvents SQL expression against an event',
  help: `Usage: switchyard cesql EXPRESSION [--event FILE|-]
       switchyard cesql --batch < requests.jsonl

Evaluates a CloudEvents SQL 1.0 expression and prints the result as JSON:
  {"value": <boolean, integer or string>, "error": null | {"kind": …, "message": …}}
Error kinds: parse, math, cast, missingAttribute, missingFunction, functionEvaluation (and
generic, for a batch line that is not a request). An expression that fails still has a value.

Options:
      --event FILE|-   the event: a JSON object in the JSON event format (data is ignored), a JSON
                       array or JSON lines of them, one result per event; without it, an event
                       with no attributes
      --batch          read JSON lines {"expression": "…", "event": {…}} on standard input and print
                       one result per line, in order
  -h, --help           show this help

Exit status: 0 when every evaluation ended without an error, 1 otherwise.

Examples:
  switchyard cesql "LENGTH('abc') + 1"
  echo '{"specversion":"1.0","id":"1","source":"/shop/eu","type":"order.created"}' \\
    | switchyard cesql "source LIKE '/shop/%' AND type IN ('order.created', 'order.updated')" --event -`,
  options: { event: { type: 'string' }, batch: { type: 'boolean' } },
  allowPositionals: true,
  async run(values, positionals) {
    const evaluator = new Evaluator();
    const results: ResultJson[] = [];
    if (values['batch'] === true) {
      if (positionals.length > 0 || values['event'] !== undefined) throw new SwitchyardError('SWY_USAGE', '--batch reads expressions and events from standard input (expected no EXPRESSION and no --event)');
      const lines = readInput('-', 'batch').split('\n');
      lines.forEach((raw, i) => {
        if (raw.trim() !== '') results.push(batchLine(evaluator, raw, i + 1));
      });
    } else {
      const [expression, ...extra] = positionals;
      if (expression === undefined) throw new SwitchyardError('SWY_USAGE', 'EXPRESSION is required (expected a CloudEvents SQL expression, quoted for the shell)');
      if (extra.length > 0) throw new SwitchyardError('SWY_USAGE', `one expression at a time; also got ${JSON.stringify(extra.join(' '))} (quote the expression for the shell)`);
      const source = stringOption(values, 'event');
      const events = source === undefined ? [{}] : readEvents(source);
      for (const attributes of events) results.push(evaluator.evaluate(expression, attributes));
    }
    for (const result of results) consoleOutput.out(JSON.stringify(result));
    return results.every((r) => r.error === null) ? 0 : 1;
  },
};
