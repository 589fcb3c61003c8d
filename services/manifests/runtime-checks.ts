/**
 * What `switchyard run` refuses beyond the manifests' schemas, found the same way by `run` and by
 * `validate` so that the two never disagree: destinations of kinds nothing delivers to, secrets
 * that cannot be read, Function handlers that do not load. And what `run` warns about: a ref that
 * resolves to a Kubernetes cluster address, which nothing outside a cluster can reach.
 * Each problem is at its field, under the resource the user wrote (a PingSource, not its outbox).
 */
import pino from 'pino';
import { resolveWebhooks } from '../../sources/webhook/webhook-secrets.ts';
import { readIngressTokens } from '../broker/ingress/ingress-tokens.ts';
import { kafkaConnections } from '../../sources/kafka/kafka-credentials.ts';
import { DEFAULT_SECRETS_DIR } from '../secrets/secret-key-ref.ts';
import { DEFAULT_URL_TEMPLATE, type DestinationOptions, isClusterAddress, resolveDestination, UnresolvableDestinationError } from '../dispatcher/destinations.ts';
import { FunctionHost } from '../functions/function-host.ts';
import type { Destination } from '../../schemas/common.schema.ts';
import { type ConfigProblem, ConfigProblemsError } from './config-problem.ts';
import { type FieldPath, type ManifestSource, problemAt } from './manifest-source.ts';
import type { RuntimeConfig } from './runtime-config.ts';

export interface Findings {
  readonly problems: ConfigProblem[];
  readonly warnings: ConfigProblem[];
}

interface WrittenDestination {
  readonly source: ManifestSource;
  readonly path: FieldPath;
  readonly namespace: string;
  readonly destination: Destination;
}

/** Every destination once, where it is written: subscribers and sinks, and dead-letter sinks of triggers and brokers. */
function writtenDestinations(config: RuntimeConfig): WrittenDestination[] {
  const found: WrittenDestination[] = [];
  for (const trigger of config.triggers) {
    found.push({ source: trigger.source, path: trigger.subscriberPath, namespace: trigger.namespace, destination: trigger.spec.subscriber });
    const sink = trigger.spec.delivery?.deadLetterSink;
    if (sink !== undefined) found.push({ source: trigger.source, path: [...(trigger.deliveryPath ?? ['spec', 'delivery']), 'deadLetterSink'], namespace: trigger.namespace, destination: sink });
  }
  const brokerSinks = new Set<string>();
  for (const broker of config.brokers.values()) {
    const sink = broker.delivery?.deadLetterSink;
    // A flow's channels share its template's delivery: its dead-letter sink is checked once.
    const where = `${broker.source.file}:${broker.source.line}:${broker.source.column}`;
    if (sink === undefined || brokerSinks.has(where)) continue;
    brokerSinks.add(where);
    found.push({ source: broker.source, path: broker.path === undefined && broker.internal !== true ? ['spec', 'delivery', 'deadLetterSink'] : channelDeliveryPath(broker.source), namespace: broker.namespace, destination: sink });
  }
  return found;
}

/** Where a channel's delivery comes from: `spec.delivery`, or a template's (a Channel's or a flow's `channelTemplate`). */
function channelDeliveryPath(source: ManifestSource): FieldPath {
  const isChannel = source.resource.startsWith('Channel/') || source.resource.startsWith('InMemoryChannel/');
  return isChannel ? ['spec', 'delivery', 'deadLetterSink'] : ['spec', 'channelTemplate', 'spec', 'delivery', 'deadLetterSink'];
}

export function destinationFindings(config: RuntimeConfig, options: DestinationOptions): Findings {
  const problems: ConfigProblem[] = [];
  const warnings: ConfigProblem[] = [];
  for (const { source, path, namespace, destination } of writtenDestinations(config)) {
    try {
      const resolved = resolveDestination(destination, namespace, options);
      const ref = destination.ref;
      if (resolved.kind === 'http' && ref === undefined && isClusterAddress(resolved.url)) {
        const host = new URL(resolved.url).hostname.split('.');
        warnings.push(
          problemAt(source, [...path, 'uri'], `${resolved.url} is a Kubernetes cluster address that does not resolve outside a cluster (expected --service-url ${host[0]}=URL, or destinations.services in --config)`),
        );
      }
      if (resolved.kind === 'http' && resolved.template === true && options.urlTemplate === DEFAULT_URL_TEMPLATE && ref !== undefined) {
        warnings.push(
          problemAt(
            source,
            [...path, 'ref'],
            `${ref.kind} ${ref.namespace ?? namespace}/${ref.name} resolves to ${resolved.url}, a Kubernetes cluster address that does not resolve outside a cluster (expected --service-url ${ref.name}=URL, or destinations.services in --config)`,
          ),
        );
      }
    } catch (error) {
      if (!(error instanceof UnresolvableDestinationError)) throw error;
      problems.push(problemAt(source, [...path, 'ref'], error.message));
    }
  }
  return { problems, warnings };
}

/** Secrets a WebhookSource or a broker's ingress tokens name that cannot be read now (an unset variable, a missing file). */
export function secretProblems(config: RuntimeConfig, secretsDir = DEFAULT_SECRETS_DIR): ConfigProblem[] {
  return [...resolveWebhooks(config.webhookSources).problems, ...readIngressTokens(config).problems, ...kafkaConnections(config.kafkaSources, config.kafkaSinks.values(), secretsDir).problems];
}

/** Loads each Function's handler once, in a worker as `run` does, and reports those that fail. */
export async function functionLoadProblems(config: RuntimeConfig): Promise<ConfigProblem[]> {
  if (config.functions.size === 0) return [];
  const once = new Map([...config.functions].map(([key, fn]) => [key, { ...fn, concurrency: 1 }]));
  const host = new FunctionHost(once, pino({ level: 'silent' }));
  try {
    await host.start();
    return [];
  } catch (error) {
    if (error instanceof ConfigProblemsError) return [...error.problems];
    throw error;
  } finally {
    await host.close();
  }
}
