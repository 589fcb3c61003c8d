/**
 * Reads manifests (multi-document YAML), checks every document against its kind's schema and
 * Knative's rules, and reports every problem at once with file, line and column. Nothing reads
 * raw YAML after this.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type Document, LineCounter, parseAllDocuments } from 'yaml';
import type { BrokerManifest } from '../../schemas/broker.schema.ts';
import type { FunctionManifest } from '../../schemas/function.schema.ts';
import type { PingSourceManifest } from '../../schemas/pingsource.schema.ts';
import type { WebhookSourceManifest } from '../../schemas/webhooksource.schema.ts';
import { plannedKinds, resourceKinds, supportedKindsText } from '../../schemas/resources.ts';
import { type FilterElement, type TriggerManifest } from '../../schemas/trigger.schema.ts';
import { compileCesql } from '../cesql/cesql.ts';
import { functionNames } from '../cesql/functions.ts';
import type { ConfigProblem } from './config-problem.ts';
import { expandManifestPaths } from './manifest-files.ts';
import { locate, locateInScalar, yamlSyntaxProblems } from './yaml-locate.ts';
import { formatPath, issueProblems } from './zod-issue-message.ts';

export interface ManifestSource {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export interface LoadedResource<T> {
  readonly manifest: T;
  readonly namespace: string;
  readonly name: string;
  readonly source: ManifestSource;
}

export interface LoadedManifests {
  readonly files: readonly string[];
  readonly brokers: ReadonlyArray<LoadedResource<BrokerManifest>>;
  readonly triggers: ReadonlyArray<LoadedResource<TriggerManifest>>;
  readonly functions: ReadonlyArray<LoadedResource<FunctionManifest> & { readonly handlerPath: string }>;
  readonly pingSources: ReadonlyArray<LoadedResource<PingSourceManifest>>;
  readonly webhookSources: ReadonlyArray<LoadedResource<WebhookSourceManifest>>;
  readonly problems: readonly ConfigProblem[];
  readonly warnings: readonly ConfigProblem[];
}

interface DocumentContext {
  readonly file: string;
  readonly doc: Document;
  readonly lines: LineCounter;
  readonly resource: string;
}

function problemAt(ctx: DocumentContext, path: ReadonlyArray<string | number>, message: string, atKey = false): ConfigProblem {
  const { line, column } = locate(ctx.doc, ctx.lines, path, atKey);
  return { file: ctx.file, line, column, resource: ctx.resource, field: formatPath(path), message };
}

function resourceLabel(value: unknown): string {
  const object = (value ?? {}) as Record<string, unknown>;
  const kind = typeof object['kind'] === 'string' ? object['kind'] : '-';
  const metadata = (object['metadata'] ?? {}) as Record<string, unknown>;
  const name = typeof metadata['name'] === 'string' ? metadata['name'] : '?';
  return kind === '-' ? '-' : `${kind}/${name}`;
}

/** Paths of `exact`/`prefix`/`suffix` elements whose value is "" (Knative skips them: they match everything). */
function emptyValuePaths(element: FilterElement, path: ReadonlyArray<string | number>): Array<ReadonlyArray<string | number>> {
  const found: Array<ReadonlyArray<string | number>> = [];
  for (const dialect of ['exact', 'prefix', 'suffix'] as const) {
    for (const [name, value] of Object.entries(element[dialect] ?? {})) if (value === '') found.push([...path, dialect, name]);
  }
  element.all?.forEach((child, i) => found.push(...emptyValuePaths(child, [...path, 'all', i])));
  element.any?.forEach((child, i) => found.push(...emptyValuePaths(child, [...path, 'any', i])));
  if (element.not) found.push(...emptyValuePaths(element.not, [...path, 'not']));
  return found;
}

/** Every `cesql` element in a filter element, with its path. */
function cesqlElements(element: FilterElement, path: ReadonlyArray<string | number>): Array<{ path: ReadonlyArray<string | number>; expression: string }> {
  const found: Array<{ path: ReadonlyArray<string | number>; expression: string }> = [];
  if (typeof element.cesql === 'string' && element.cesql !== '') found.push({ path: [...path, 'cesql'], expression: element.cesql });
  element.all?.forEach((child, i) => found.push(...cesqlElements(child, [...path, 'all', i])));
  element.any?.forEach((child, i) => found.push(...cesqlElements(child, [...path, 'any', i])));
  if (element.not) found.push(...cesqlElements(element.not, [...path, 'not']));
  return found;
}

/** Knative parses CESQL at admission: a syntax error, or a call to a function that does not exist, refuses the Trigger. */
function cesqlProblems(ctx: DocumentContext, trigger: TriggerManifest): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const { path, expression } of (trigger.spec.filters ?? []).flatMap((element, i) => cesqlElements(element, ['spec', 'filters', i]))) {
    const outcome = compileCesql(expression);
    const errors = outcome.ok ? outcome.expression.problems : [outcome.error];
    for (const error of errors) {
      const { line, column } = locateInScalar(ctx.doc, ctx.lines, path, error.at);
      const where = `at character ${error.at + 1} of ${JSON.stringify(expression)}`;
      const expected = error.kind === 'parse' ? 'expected a CloudEvents SQL 1.0 expression' : `expected one of the built-in functions: ${functionNames().join(', ')}`;
      problems.push({ file: ctx.file, line, column, resource: ctx.resource, field: formatPath(path), message: `${error.kind} error ${where}: ${error.message} (${expected})` });
    }
  }
  return problems;
}

export function loadManifests(paths: readonly string[]): LoadedManifests {
  const expanded = expandManifestPaths(paths);
  const problems: ConfigProblem[] = [...expanded.problems];
  const warnings: ConfigProblem[] = [];
  const brokers: Array<LoadedResource<BrokerManifest>> = [];
  const triggers: Array<LoadedResource<TriggerManifest>> = [];
  const functions: Array<LoadedResource<FunctionManifest> & { handlerPath: string }> = [];
  const pingSources: Array<LoadedResource<PingSourceManifest>> = [];
  const webhookSources: Array<LoadedResource<WebhookSourceManifest>> = [];
  const seen = new Map<string, ManifestSource>();

  for (const file of expanded.files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      problems.push({ file, line: 1, column: 1, resource: '-', field: '(file)', message: `cannot be read: ${(error as Error).message}` });
      continue;
    }
    const lines = new LineCounter();
    const docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: true });
    if (!Array.isArray(docs)) continue;
    for (const doc of docs) {
      const ctx: DocumentContext = { file, doc, lines, resource: '-' };
      if (doc.errors.length > 0) {
        problems.push(...yamlSyntaxProblems(file, doc, '-'));
        continue;
      }
      const value: unknown = doc.toJS({ maxAliasCount: 100 });
      if (value === null || value === undefined) continue;
      const here: DocumentContext = { ...ctx, resource: resourceLabel(value) };
      if (typeof value !== 'object' || Array.isArray(value)) {
        problems.push(problemAt(here, [], `is ${Array.isArray(value) ? 'a list' : 'a scalar'} (expected a resource: a map with apiVersion, kind, metadata and spec)`));
        continue;
      }
      const object = value as Record<string, unknown>;
      const kindName = object['kind'];
      const apiVersion = object['apiVersion'];
      if (typeof kindName !== 'string' || typeof apiVersion !== 'string') {
        if (typeof apiVersion !== 'string') problems.push(problemAt(here, ['apiVersion'], `is ${apiVersion === undefined ? 'missing' : 'not a string'} (expected the resource's API version, like eventing.knative.dev/v1)`));
        if (typeof kindName !== 'string') problems.push(problemAt(here, ['kind'], `is ${kindName === undefined ? 'missing' : 'not a string'} (expected one of the supported kinds: ${supportedKindsText()})`));
        continue;
      }
      const kind = resourceKinds.find((k) => k.kind === kindName && k.apiVersion === apiVersion) ?? resourceKinds.find((k) => k.kind === kindName);
      if (kind === undefined) {
        const planned = plannedKinds[kindName];
        const why = planned ? `is not supported yet: ${kindName} (${planned}) arrives in a later Switchyard release` : `${JSON.stringify(kindName)} is not a kind Switchyard knows`;
        problems.push(problemAt(here, ['kind'], `${why} (expected one of the supported kinds: ${supportedKindsText()})`));
        continue;
      }
      const parsed = kind.schema.safeParse(value, { reportInput: true });
      if (!parsed.success) {
        for (const issue of parsed.error.issues) {
          for (const p of issueProblems(kind.schema, issue)) problems.push(problemAt(here, p.path, p.message, p.atKey));
        }
        continue;
      }
      const manifest = parsed.data as { metadata: { name: string; namespace?: string | undefined } };
      const namespace = manifest.metadata.namespace ?? 'default';
      const name = manifest.metadata.name;
      const start = locate(doc, lines, []);
      const source: ManifestSource = { file, line: start.line, column: start.column };
      const identity = `${kind.kind} ${namespace}/${name}`;
      const first = seen.get(identity);
      if (first) {
        problems.push(problemAt(here, ['metadata', 'name'], `declares ${identity} a second time (expected one declaration; the first is at ${first.file}:${first.line}:${first.column})`));
        continue;
      }
      seen.set(identity, source);
      if (kind.kind === 'Broker') {
        brokers.push({ manifest: parsed.data as BrokerManifest, namespace, name, source });
      } else if (kind.kind === 'Function') {
        const fn = parsed.data as FunctionManifest;
        const handlerPath = resolve(dirname(file), fn.spec.handler);
        if (!existsSync(handlerPath) || !statSync(handlerPath).isFile()) {
          problems.push(problemAt(here, ['spec', 'handler'], `names ${handlerPath}, which does not exist (expected a module file, relative to ${dirname(file)})`));
        } else {
          functions.push({ manifest: fn, namespace, name, source, handlerPath });
        }
      } else if (kind.kind === 'PingSource') {
        pingSources.push({ manifest: parsed.data as PingSourceManifest, namespace, name, source });
      } else if (kind.kind === 'WebhookSource') {
        const webhook = parsed.data as WebhookSourceManifest;
        if (webhook.spec.auth === undefined) warnings.push(problemAt(here, ['spec'], 'has no auth: anyone who can reach the platform can post to it (expected spec.auth with one of github, stripe, standardWebhooks, hmac, bearer, basic)'));
        webhookSources.push({ manifest: webhook, namespace, name, source });
      } else {
        const trigger = parsed.data as TriggerManifest;
        const cesql = cesqlProblems(here, trigger);
        problems.push(...cesql);
        if (cesql.length === 0) triggers.push({ manifest: trigger, namespace, name, source });
        for (const path of (trigger.spec.filters ?? []).flatMap((element, i) => emptyValuePaths(element, ['spec', 'filters', i]))) {
          warnings.push(problemAt(here, path, 'is "", so Knative skips this filter and it matches every event (expected a non-empty value, or remove the element)'));
        }
      }
    }
  }

  const brokerKeys = new Set(brokers.map((b) => `${b.namespace}/${b.name}`));
  for (const trigger of triggers) {
    const key = `${trigger.namespace}/${trigger.manifest.spec.broker}`;
    if (!brokerKeys.has(key)) {
      warnings.push({
        ...trigger.source,
        resource: `Trigger/${trigger.name}`,
        field: 'spec.broker',
        message: `broker ${key} is not declared in these manifests; the trigger stays idle until it is (expected a Broker named ${trigger.manifest.spec.broker} in namespace ${trigger.namespace})`,
      });
    }
  }
  // Every destination (trigger subscribers, source sinks) that names a Function must name a declared one.
  const functionKeys = new Set(functions.map((f) => `${f.namespace}/${f.name}`));
  const destinations = [
    ...triggers.map((t) => ({ resource: t, kind: 'Trigger', field: 'spec.subscriber.ref', ref: t.manifest.spec.subscriber.ref })),
    ...pingSources.map((p) => ({ resource: p, kind: 'PingSource', field: 'spec.sink.ref', ref: p.manifest.spec.sink.ref })),
    ...webhookSources.map((w) => ({ resource: w, kind: 'WebhookSource', field: 'spec.sink.ref', ref: w.manifest.spec.sink.ref })),
  ];
  for (const { resource, kind, field, ref } of destinations) {
    const key = `${ref?.namespace ?? resource.namespace}/${ref?.name}`;
    const at = { ...resource.source, resource: `${kind}/${resource.name}`, field };
    if (ref?.kind === 'Function' && ref.apiVersion.startsWith('switchyard.dev/') && !functionKeys.has(key)) {
      problems.push({ ...at, message: `names Function ${key}, which is not declared (expected a Function manifest of that name)` });
    }
    // What a source sends to a broker that is not declared is dead-lettered: say so at load (sources only, as before).
    if (kind !== 'Trigger' && ref?.kind === 'Broker' && ref.apiVersion.startsWith('eventing.knative.dev/') && !brokerKeys.has(key)) {
      warnings.push({ ...at, message: `names Broker ${key}, which is not declared in these manifests; its events will be dead-lettered until it is (expected a Broker manifest of that name)` });
    }
  }
  return { files: expanded.files, brokers, triggers, functions, pingSources, webhookSources, problems, warnings };
}
