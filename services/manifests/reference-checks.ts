/**
 * Checks across resources: what a Trigger, a source, a flow or a dead-letter sink names must be
 * declared (a Function, a Channel, a Sequence, a Parallel), or is warned about when it is not (a
 * Broker: events for it wait or dead-letter).
 */
import { CHANNEL_KINDS } from '../../schemas/channel.schema.ts';
import type { Destination } from '../../schemas/common.schema.ts';
import type { ConfigProblem } from './config-problem.ts';
import type { LoadedManifests, LoadedResource } from './load-manifests.ts';
import { type FieldPath, problemAt } from './manifest-source.ts';

interface NamedDestination {
  readonly resource: LoadedResource<unknown>;
  readonly path: FieldPath;
  readonly destination: Destination | undefined;
  readonly fromSource: boolean;
}

type Resources = Pick<LoadedManifests, 'brokers' | 'triggers' | 'functions' | 'pingSources' | 'webhookSources' | 'kafkaSources' | 'kafkaSinks' | 'channels' | 'subscriptions' | 'sequences' | 'parallels'>;

function deliveryDestination(resource: LoadedResource<unknown>, path: FieldPath, delivery: { deadLetterSink?: Destination | undefined } | undefined): NamedDestination {
  return { resource, path: [...path, 'deadLetterSink'], destination: delivery?.deadLetterSink, fromSource: false };
}

function flowDestinations(loaded: Resources): NamedDestination[] {
  const at = (resource: LoadedResource<unknown>, path: FieldPath, destination: Destination | undefined): NamedDestination => ({ resource, path, destination, fromSource: false });
  return [
    ...loaded.channels.flatMap((c) => [
      deliveryDestination(c, ['spec', 'delivery'], c.manifest.spec?.delivery),
      ...(c.manifest.kind === 'Channel' ? [deliveryDestination(c, ['spec', 'channelTemplate', 'spec', 'delivery'], c.manifest.spec?.channelTemplate?.spec?.delivery)] : []),
    ]),
    ...loaded.subscriptions.flatMap((s) => [
      at(s, ['spec', 'subscriber'], s.manifest.spec.subscriber),
      at(s, ['spec', 'reply'], s.manifest.spec.reply),
      deliveryDestination(s, ['spec', 'delivery'], s.manifest.spec.delivery),
    ]),
    ...loaded.sequences.flatMap((q) => [
      ...q.manifest.spec.steps.flatMap((step, i) => [at(q, ['spec', 'steps', i], step), deliveryDestination(q, ['spec', 'steps', i, 'delivery'], step.delivery)]),
      at(q, ['spec', 'reply'], q.manifest.spec.reply),
      deliveryDestination(q, ['spec', 'channelTemplate', 'spec', 'delivery'], q.manifest.spec.channelTemplate?.spec?.delivery),
    ]),
    ...loaded.parallels.flatMap((p) => [
      ...p.manifest.spec.branches.flatMap((branch, i) => [
        at(p, ['spec', 'branches', i, 'filter'], branch.filter),
        at(p, ['spec', 'branches', i, 'subscriber'], branch.subscriber),
        at(p, ['spec', 'branches', i, 'reply'], branch.reply),
        deliveryDestination(p, ['spec', 'branches', i, 'delivery'], branch.delivery),
      ]),
      at(p, ['spec', 'reply'], p.manifest.spec.reply),
      deliveryDestination(p, ['spec', 'channelTemplate', 'spec', 'delivery'], p.manifest.spec.channelTemplate?.spec?.delivery),
    ]),
  ];
}

function destinations(loaded: Resources): NamedDestination[] {
  return [
    ...loaded.triggers.flatMap((t) => [
      { resource: t, path: ['spec', 'subscriber'], destination: t.manifest.spec.subscriber, fromSource: false },
      { resource: t, path: ['spec', 'delivery', 'deadLetterSink'], destination: t.manifest.spec.delivery?.deadLetterSink, fromSource: false },
    ]),
    ...loaded.brokers.map((b) => ({ resource: b, path: ['spec', 'delivery', 'deadLetterSink'], destination: b.manifest.spec?.delivery?.deadLetterSink, fromSource: false })),
    ...loaded.pingSources.map((p) => ({ resource: p, path: ['spec', 'sink'], destination: p.manifest.spec.sink, fromSource: true })),
    ...loaded.webhookSources.map((w) => ({ resource: w, path: ['spec', 'sink'], destination: w.manifest.spec.sink, fromSource: true })),
    ...loaded.kafkaSources.flatMap((k) => [
      { resource: k, path: ['spec', 'sink'], destination: k.manifest.spec.sink, fromSource: true },
      { resource: k, path: ['spec', 'delivery', 'deadLetterSink'], destination: k.manifest.spec.delivery?.deadLetterSink, fromSource: false },
    ]),
    ...flowDestinations(loaded),
  ];
}

export function referenceFindings(loaded: Resources): { problems: ConfigProblem[]; warnings: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const warnings: ConfigProblem[] = [];
  const brokerKeys = new Set(loaded.brokers.map((b) => `${b.namespace}/${b.name}`));
  for (const trigger of loaded.triggers) {
    const key = `${trigger.namespace}/${trigger.manifest.spec.broker}`;
    if (!brokerKeys.has(key)) {
      warnings.push(
        problemAt(trigger.source, ['spec', 'broker'], `broker ${key} is not declared in these manifests; the trigger stays idle until it is (expected a Broker named ${trigger.manifest.spec.broker} in namespace ${trigger.namespace})`),
      );
    }
  }
  const functionKeys = new Set(loaded.functions.map((f) => `${f.namespace}/${f.name}`));
  const kafkaSinkKeys = new Set(loaded.kafkaSinks.map((k) => `${k.namespace}/${k.name}`));
  const declared: Record<string, Set<string>> = {
    Channel: new Set(loaded.channels.map((c) => `${c.namespace}/${c.name}`)),
    Sequence: new Set(loaded.sequences.map((q) => `${q.namespace}/${q.name}`)),
    Parallel: new Set(loaded.parallels.map((p) => `${p.namespace}/${p.name}`)),
  };
  for (const subscription of loaded.subscriptions) {
    const channel = subscription.manifest.spec.channel;
    const key = `${subscription.namespace}/${channel.name}`;
    if (!channel.apiVersion.startsWith('messaging.knative.dev/') || !CHANNEL_KINDS.has(channel.kind)) {
      problems.push(problemAt(subscription.source, ['spec', 'channel', 'kind'], `names ${channel.kind} (${channel.apiVersion}) (expected a Channel or InMemoryChannel of messaging.knative.dev/v1)`));
    } else if (!declared['Channel']?.has(key)) {
      warnings.push(
        problemAt(subscription.source, ['spec', 'channel', 'name'], `${channel.kind} ${key} is not declared in these manifests; the subscription stays idle until it is (expected a Channel or InMemoryChannel manifest of that name)`),
      );
    }
  }
  for (const { resource, path, destination, fromSource } of destinations(loaded)) {
    const ref = destination?.ref;
    if (ref === undefined) continue;
    const key = `${ref.namespace ?? resource.namespace}/${ref.name}`;
    if (ref.kind === 'Function' && ref.apiVersion.startsWith('switchyard.dev/') && !functionKeys.has(key)) {
      problems.push(problemAt(resource.source, [...path, 'ref'], `names Function ${key}, which is not declared (expected a Function manifest of that name)`));
    }
    if (ref.kind === 'KafkaSink' && ref.apiVersion.startsWith('eventing.knative.dev/') && !kafkaSinkKeys.has(key)) {
      problems.push(problemAt(resource.source, [...path, 'ref'], `names KafkaSink ${key}, which is not declared (expected a KafkaSink manifest of that name)`));
    }
    const flowKind = ref.kind === 'InMemoryChannel' ? 'Channel' : ref.kind;
    const isFlowRef = (flowKind === 'Channel' && ref.apiVersion.startsWith('messaging.knative.dev/')) || ((flowKind === 'Sequence' || flowKind === 'Parallel') && ref.apiVersion.startsWith('flows.knative.dev/'));
    // As for a Broker: Knative accepts the reference and waits for the resource; events sent
    // meanwhile are retried by the sender's delivery and then dead-lettered, never lost.
    if (isFlowRef && !declared[flowKind]?.has(key)) {
      warnings.push(problemAt(resource.source, [...path, 'ref'], `names ${ref.kind} ${key}, which is not declared in these manifests; events sent to it are dead-lettered until it is (expected a ${ref.kind} manifest of that name)`));
    }
    // What a source sends to a broker that is not declared is dead-lettered: say so at load.
    if (fromSource && ref.kind === 'Broker' && ref.apiVersion.startsWith('eventing.knative.dev/') && !brokerKeys.has(key)) {
      warnings.push(problemAt(resource.source, [...path, 'ref'], `names Broker ${key}, which is not declared in these manifests; its events will be dead-lettered until it is (expected a Broker manifest of that name)`));
    }
  }
  return { problems, warnings };
}
