/**
 * Checks of one resource beyond its schema: CESQL expressions that do not compile, filter values
 * Knative would skip, a Function handler that is not there, a WebhookSource anyone may post to.
 * They read the document as written, not the parsed manifest, so that they run even when the
 * schema refused the document: one schema error must not hide another problem in it.
 */
import { existsSync, realpathSync, statSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { HANDLER_OUTSIDE_FOLDER } from '../../schemas/function.schema.ts';
import { compileCesql } from '../cesql/cesql.ts';
import { functionNames } from '../cesql/functions.ts';
import type { ConfigProblem } from './config-problem.ts';
import { type FieldPath, type ManifestSource, formatPath, problemAt } from './manifest-source.ts';
import type { Document, LineCounter } from 'yaml';
import { locateInScalar } from './yaml-locate.ts';

/** The parsed YAML behind a resource: CESQL problems point at a character inside the expression. */
export interface ResourceDocument {
  readonly doc: Document;
  readonly lines: LineCounter;
  /** Where the resource sits in the document (`['items', 3]` inside a List). */
  readonly base: FieldPath;
}

export interface ResourceFindings {
  readonly problems: ConfigProblem[];
  readonly warnings: ConfigProblem[];
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** Each filter element in a `filters` list, recursively through all, any and not, with its path. */
function filterElements(list: unknown, path: FieldPath): FilterElementAt[] {
  return Array.isArray(list) ? list.flatMap((item, i) => elementTree(item, [...path, i])) : [];
}

interface FilterElementAt {
  readonly element: Record<string, unknown>;
  readonly path: FieldPath;
}

function elementTree(item: unknown, path: FieldPath): FilterElementAt[] {
  const element = record(item);
  if (element === undefined) return [];
  return [{ element, path }, ...filterElements(element['all'], [...path, 'all']), ...filterElements(element['any'], [...path, 'any']), ...elementTree(element['not'], [...path, 'not'])];
}

/** Knative parses CESQL at admission: a syntax error, or a call to a function that does not exist, refuses the Trigger. */
function cesqlProblems(source: ManifestSource, yaml: ResourceDocument, element: Record<string, unknown>, path: FieldPath): ConfigProblem[] {
  const expression = element['cesql'];
  if (typeof expression !== 'string' || expression === '') return [];
  const outcome = compileCesql(expression);
  const errors = outcome.ok ? outcome.expression.problems : [outcome.error];
  return errors.map((error) => {
    const { line, column } = locateInScalar(yaml.doc, yaml.lines, [...yaml.base, ...path, 'cesql'], error.at);
    const where = `at character ${error.at + 1} of ${JSON.stringify(expression)}`;
    const expected = error.kind === 'parse' ? 'expected a CloudEvents SQL 1.0 expression' : `expected one of the built-in functions: ${functionNames().join(', ')}`;
    return { file: source.file, line, column, resource: source.resource, field: formatPath([...path, 'cesql']), message: `${error.kind} error ${where}: ${error.message} (${expected})` };
  });
}

function triggerFindings(source: ManifestSource, yaml: ResourceDocument, spec: Record<string, unknown>): ResourceFindings {
  const problems: ConfigProblem[] = [];
  const warnings: ConfigProblem[] = [];
  for (const { element, path } of filterElements(spec['filters'], ['spec', 'filters'])) {
    problems.push(...cesqlProblems(source, yaml, element, path));
    for (const dialect of ['exact', 'prefix', 'suffix']) {
      for (const [name, value] of Object.entries(record(element[dialect]) ?? {})) {
        if (value === '') warnings.push(problemAt(source, [...path, dialect, name], 'is "", so Knative skips this filter and it matches every event (expected a non-empty value, or remove the element)'));
      }
    }
  }
  return { problems, warnings };
}

/** Where a Function's handler module is, or undefined when the manifest does not say (the schema reports that). */
export function handlerPath(file: string, spec: Record<string, unknown> | undefined): string | undefined {
  const handler = spec?.['handler'];
  return typeof handler === 'string' && handler !== '' ? resolve(dirname(file), handler) : undefined;
}

function functionFindings(source: ManifestSource, value: Record<string, unknown>, spec: Record<string, unknown> | undefined): ResourceFindings {
  const path = handlerPath(source.file, spec);
  if (path === undefined) return { problems: [], warnings: [] };
  const folder = dirname(source.file);
  if (!existsSync(path) || !statSync(path).isFile()) {
    return { problems: [problemAt(source, ['spec', 'handler'], `names ${path}, which does not exist (expected a module file, relative to ${folder})`)], warnings: [] };
  }
  const inside = realpathSync(path).startsWith(`${realpathSync(folder)}${sep}`);
  if (!inside && record(record(value['metadata'])?.['annotations'])?.[HANDLER_OUTSIDE_FOLDER] !== 'true') {
    const message = `names ${realpathSync(path)}, which is outside the manifest's folder ${folder} (expected a module inside it, or the annotation ${HANDLER_OUTSIDE_FOLDER}: "true" to allow this one)`;
    return { problems: [problemAt(source, ['spec', 'handler'], message)], warnings: [] };
  }
  return { problems: [], warnings: [] };
}

export function resourceFindings(kind: string, source: ManifestSource, yaml: ResourceDocument, value: Record<string, unknown>): ResourceFindings {
  const spec = record(value['spec']);
  if (kind === 'Trigger' && spec !== undefined) return triggerFindings(source, yaml, spec);
  if (kind === 'Function') return functionFindings(source, value, spec);
  if (kind === 'WebhookSource' && spec !== undefined && spec['auth'] === undefined) {
    const warning = problemAt(source, ['spec'], 'has no auth: anyone who can reach the platform can post to it (expected spec.auth with one of github, stripe, standardWebhooks, hmac, bearer, basic)');
    return { problems: [], warnings: [warning] };
  }
  if (kind === 'KafkaSource' && spec !== undefined) {
    const warnings: ConfigProblem[] = [];
    if (spec['resources'] !== undefined) warnings.push(problemAt(source, ['spec', 'resources'], 'has no effect: it sizes the pod Knative would run, and Switchyard runs no pods (the source runs inside the platform)'));
    return { problems: [], warnings };
  }
  return { problems: [], warnings: [] };
}
