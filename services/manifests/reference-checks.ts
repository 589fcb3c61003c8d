/**
 * Checks across resources: what a Trigger, a source or a dead-letter sink names must be declared
 * (a Function), or is warned about when it is not (a Broker: events for it wait or dead-letter).
 */
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

type Resources = Pick<LoadedManifests, 'brokers' | 'triggers' | 'functions' | 'pingSources' | 'webhookSources'>;

function destinations(loaded: Resources): NamedDestination[] {
  return [
    ...loaded.triggers.flatMap((t) => [
      { resource: t, path: ['spec', 'subscriber'], destination: t.manifest.spec.subscriber, fromSource: false },
      { resource: t, path: ['spec', 'delivery', 'deadLetterSink'], destination: t.manifest.spec.delivery?.deadLetterSink, fromSource: false },
    ]),
    ...loaded.brokers.map((b) => ({ resource: b, path: ['spec', 'delivery', 'deadLetterSink'], destination: b.manifest.spec?.delivery?.deadLetterSink, fromSource: false })),
    ...loaded.pingSources.map((p) => ({ resource: p, path: ['spec', 'sink'], destination: p.manifest.spec.sink, fromSource: true })),
    ...loaded.webhookSources.map((w) => ({ resource: w, path: ['spec', 'sink'], destination: w.manifest.spec.sink, fromSource: true })),
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
  for (const { resource, path, destination, fromSource } of destinations(loaded)) {
    const ref = destination?.ref;
    if (ref === undefined) continue;
    const key = `${ref.namespace ?? resource.namespace}/${ref.name}`;
    if (ref.kind === 'Function' && ref.apiVersion.startsWith('switchyard.dev/') && !functionKeys.has(key)) {
      problems.push(problemAt(resource.source, [...path, 'ref'], `names Function ${key}, which is not declared (expected a Function manifest of that name)`));
    }
    // What a source sends to a broker that is not declared is dead-lettered: say so at load.
    if (fromSource && ref.kind === 'Broker' && ref.apiVersion.startsWith('eventing.knative.dev/') && !brokerKeys.has(key)) {
      warnings.push(problemAt(resource.source, [...path, 'ref'], `names Broker ${key}, which is not declared in these manifests; its events will be dead-lettered until it is (expected a Broker manifest of that name)`));
    }
  }
  return { problems, warnings };
}
