/**
 * Reads manifests (multi-document YAML, `kind: List` documents as their items), checks every
 * resource against its kind's schema and Knative's rules, and reports every problem at once with
 * file, line and column. Nothing reads raw YAML after this.
 */
import { readFileSync } from 'node:fs';
import { type Document, LineCounter, parseAllDocuments } from 'yaml';
import type { BrokerManifest } from '../../schemas/broker.schema.ts';
import type { ChannelManifest } from '../../schemas/channel.schema.ts';
import type { ParallelManifest } from '../../schemas/parallel.schema.ts';
import type { SequenceManifest } from '../../schemas/sequence.schema.ts';
import type { SubscriptionManifest } from '../../schemas/subscription.schema.ts';
import type { FunctionManifest } from '../../schemas/function.schema.ts';
import type { KafkaSourceManifest } from '../../schemas/kafkasource.schema.ts';
import type { KafkaSinkManifest } from '../../schemas/kafkasink.schema.ts';
import type { PingSourceManifest } from '../../schemas/pingsource.schema.ts';
import { plannedKinds, resourceKinds, skippedKinds, supportedKindsText } from '../../schemas/resources.ts';
import type { TriggerManifest } from '../../schemas/trigger.schema.ts';
import type { WebhookSourceManifest } from '../../schemas/webhooksource.schema.ts';
import { type ConfigProblem, sortProblems } from './config-problem.ts';
import { expandManifestPaths } from './manifest-files.ts';
import { type ManifestSource, problemAt } from './manifest-source.ts';
import { referenceFindings } from './reference-checks.ts';
import { handlerPath, type ResourceDocument, resourceFindings } from './resource-checks.ts';
import { locate, yamlSyntaxProblems } from './yaml-locate.ts';
import { issueProblems } from './zod-issue-message.ts';

export type { ManifestSource } from './manifest-source.ts';

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
  readonly kafkaSources: ReadonlyArray<LoadedResource<KafkaSourceManifest>>;
  readonly kafkaSinks: ReadonlyArray<LoadedResource<KafkaSinkManifest>>;
  /** Channels and InMemoryChannels (one name space: a Knative Channel is backed by the InMemoryChannel of its name). */
  readonly channels: ReadonlyArray<LoadedResource<ChannelManifest>>;
  readonly subscriptions: ReadonlyArray<LoadedResource<SubscriptionManifest>>;
  readonly sequences: ReadonlyArray<LoadedResource<SequenceManifest>>;
  readonly parallels: ReadonlyArray<LoadedResource<ParallelManifest>>;
  /** Documents of kinds Switchyard does not run (a tutorial's Knative Service), each warned about. */
  readonly skipped: readonly string[];
  readonly problems: readonly ConfigProblem[];
  readonly warnings: readonly ConfigProblem[];
}

function resourceLabel(value: unknown): string {
  const object = (value ?? {}) as Record<string, unknown>;
  const kind = typeof object['kind'] === 'string' ? object['kind'] : '-';
  const metadata = (object['metadata'] ?? {}) as Record<string, unknown>;
  const name = typeof metadata['name'] === 'string' ? metadata['name'] : '?';
  return kind === '-' ? '-' : `${kind}/${name}`;
}

function sourceOf(file: string, yaml: ResourceDocument, resource: string): ManifestSource {
  const { doc, lines, base } = yaml;
  const start = locate(doc, lines, base);
  return { file, line: start.line, column: start.column, resource, at: (path, atKey = false) => locate(doc, lines, [...base, ...path], atKey) };
}

/** The resources of one YAML document: itself, or the items of a `kind: List`. */
function resourcesOf(doc: Document, lines: LineCounter, value: unknown): Array<{ yaml: ResourceDocument; value: unknown }> {
  const object = value as Record<string, unknown> | null;
  if (object !== null && typeof object === 'object' && object['kind'] === 'List' && Array.isArray(object['items'])) {
    return object['items'].map((item: unknown, i) => ({ yaml: { doc, lines, base: ['items', i] }, value: item }));
  }
  return [{ yaml: { doc, lines, base: [] }, value }];
}

class ManifestCollector {
  readonly problems: ConfigProblem[] = [];
  readonly warnings: ConfigProblem[] = [];
  readonly brokers: Array<LoadedResource<BrokerManifest>> = [];
  readonly triggers: Array<LoadedResource<TriggerManifest>> = [];
  readonly functions: Array<LoadedResource<FunctionManifest> & { handlerPath: string }> = [];
  readonly pingSources: Array<LoadedResource<PingSourceManifest>> = [];
  readonly webhookSources: Array<LoadedResource<WebhookSourceManifest>> = [];
  readonly kafkaSources: Array<LoadedResource<KafkaSourceManifest>> = [];
  readonly kafkaSinks: Array<LoadedResource<KafkaSinkManifest>> = [];
  readonly channels: Array<LoadedResource<ChannelManifest>> = [];
  readonly subscriptions: Array<LoadedResource<SubscriptionManifest>> = [];
  readonly sequences: Array<LoadedResource<SequenceManifest>> = [];
  readonly parallels: Array<LoadedResource<ParallelManifest>> = [];
  readonly skipped: string[] = [];
  readonly #seen = new Map<string, ManifestSource>();

  resource(file: string, yaml: ResourceDocument, value: unknown): void {
    const source = sourceOf(file, yaml, resourceLabel(value));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.problems.push(problemAt(source, [], `is ${Array.isArray(value) ? 'a list' : 'a scalar'} (expected a resource: a map with apiVersion, kind, metadata and spec)`));
      return;
    }
    const object = value as Record<string, unknown>;
    const kindName = object['kind'];
    const apiVersion = object['apiVersion'];
    if (typeof kindName !== 'string' || typeof apiVersion !== 'string') {
      if (typeof apiVersion !== 'string') this.problems.push(problemAt(source, ['apiVersion'], `is ${apiVersion === undefined ? 'missing' : 'not a string'} (expected the resource's API version, like eventing.knative.dev/v1)`));
      if (typeof kindName !== 'string') this.problems.push(problemAt(source, ['kind'], `is ${kindName === undefined ? 'missing' : 'not a string'} (expected one of the supported kinds: ${supportedKindsText()})`));
      return;
    }
    const skipped = skippedKinds.find((k) => k.kind === kindName && k.apiVersion(apiVersion));
    if (skipped !== undefined) {
      const name = source.resource.slice(kindName.length + 1);
      this.skipped.push(source.resource);
      this.warnings.push(
        problemAt(source, ['kind'], `${source.resource} (${apiVersion}) is skipped: ${skipped.why}. Run it yourself and give the refs to it an address, like --service-url ${name}=http://localhost:PORT`),
      );
      return;
    }
    const kind = resourceKinds.find((k) => k.kind === kindName && k.apiVersion === apiVersion) ?? resourceKinds.find((k) => k.kind === kindName);
    if (kind === undefined) {
      const planned = plannedKinds[kindName];
      const why = planned ? `is not supported yet: ${kindName} (${planned}) arrives in a later Switchyard release` : `${JSON.stringify(kindName)} is not a kind Switchyard knows`;
      this.problems.push(problemAt(source, ['kind'], `${why} (expected one of the supported kinds: ${supportedKindsText()})`));
      return;
    }
    // Checks beyond the schema run whether or not the schema accepts the document.
    const findings = resourceFindings(kind.kind, source, yaml, object);
    this.problems.push(...findings.problems);
    this.warnings.push(...findings.warnings);
    const parsed = kind.schema.safeParse(value, { reportInput: true });
    if (!parsed.success) {
      for (const issue of parsed.error.issues) for (const p of issueProblems(kind.schema, issue)) this.problems.push(problemAt(source, p.path, p.message, p.atKey));
      return;
    }
    if (findings.problems.length > 0) return;
    const manifest = parsed.data as { metadata: { name: string; namespace?: string | undefined }; spec?: Record<string, unknown> };
    const namespace = manifest.metadata.namespace ?? 'default';
    const name = manifest.metadata.name;
    const identity = `${kind.kind === 'InMemoryChannel' ? 'Channel' : kind.kind} ${namespace}/${name}`;
    const first = this.#seen.get(identity);
    if (first) {
      this.problems.push(problemAt(source, ['metadata', 'name'], `declares ${identity} a second time (expected one declaration; the first is at ${first.file}:${first.line}:${first.column})`));
      return;
    }
    this.#seen.set(identity, source);
    const loaded = { manifest: parsed.data, namespace, name, source };
    if (kind.kind === 'Broker') this.brokers.push(loaded as LoadedResource<BrokerManifest>);
    else if (kind.kind === 'Trigger') this.triggers.push(loaded as LoadedResource<TriggerManifest>);
    else if (kind.kind === 'Function') this.functions.push({ ...(loaded as LoadedResource<FunctionManifest>), handlerPath: handlerPath(file, manifest.spec) as string });
    else if (kind.kind === 'PingSource') this.pingSources.push(loaded as LoadedResource<PingSourceManifest>);
    else if (kind.kind === 'WebhookSource') this.webhookSources.push(loaded as LoadedResource<WebhookSourceManifest>);
    else if (kind.kind === 'KafkaSource') this.kafkaSources.push(loaded as LoadedResource<KafkaSourceManifest>);
    else if (kind.kind === 'KafkaSink') this.kafkaSinks.push(loaded as LoadedResource<KafkaSinkManifest>);
    else if (kind.kind === 'Channel' || kind.kind === 'InMemoryChannel') this.channels.push(loaded as LoadedResource<ChannelManifest>);
    else if (kind.kind === 'Subscription') this.subscriptions.push(loaded as LoadedResource<SubscriptionManifest>);
    else if (kind.kind === 'Sequence') this.sequences.push(loaded as LoadedResource<SequenceManifest>);
    else if (kind.kind === 'Parallel') this.parallels.push(loaded as LoadedResource<ParallelManifest>);
  }
}

export function loadManifests(paths: readonly string[]): LoadedManifests {
  const expanded = expandManifestPaths(paths);
  const collector = new ManifestCollector();
  collector.problems.push(...expanded.problems);
  for (const file of expanded.files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      collector.problems.push({ file, line: 1, column: 1, resource: '-', field: '(file)', message: `cannot be read: ${(error as Error).message}` });
      continue;
    }
    const lines = new LineCounter();
    const docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: true });
    if (!Array.isArray(docs)) continue;
    for (const doc of docs) {
      if (doc.errors.length > 0) {
        collector.problems.push(...yamlSyntaxProblems(file, doc, '-'));
        continue;
      }
      const value: unknown = doc.toJS({ maxAliasCount: 100 });
      if (value === null || value === undefined) continue;
      for (const resource of resourcesOf(doc, lines, value)) collector.resource(file, resource.yaml, resource.value);
    }
  }
  const references = referenceFindings(collector);
  return {
    files: expanded.files,
    brokers: collector.brokers,
    triggers: collector.triggers,
    functions: collector.functions,
    pingSources: collector.pingSources,
    webhookSources: collector.webhookSources,
    kafkaSources: collector.kafkaSources,
    kafkaSinks: collector.kafkaSinks,
    channels: collector.channels,
    subscriptions: collector.subscriptions,
    sequences: collector.sequences,
    parallels: collector.parallels,
    skipped: collector.skipped,
    problems: sortProblems([...collector.problems, ...references.problems], expanded.files),
    warnings: sortProblems([...collector.warnings, ...references.warnings], expanded.files),
  };
}
