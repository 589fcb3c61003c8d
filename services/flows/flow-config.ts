/**
 * Channels, Subscriptions, Sequences and Parallels in the runtime configuration, built from the
 * platform's own primitives as Knative's reconcilers build them from channels and subscriptions:
 * each channel is an internal log (a broker not served at the broker ingress), each subscription
 * a trigger on it whose replies go to a log named in advance.
 *
 *   Sequence s:  POST /flows/ns/sequences/s ─▶ step-0 ─▶ steps[0] ─reply▶ step-1 ─▶ … ─▶ steps[n-1] ─reply▶ spec.reply
 *   Parallel p:  POST /flows/ns/parallels/p ─▶ parallel:p ─┬▶ filter i ─reply▶ branch-i ─▶ subscriber i ─reply▶ branch reply | spec.reply
 *                                                          └▶ (no filter) subscriber i ─reply▶ …
 *
 * A reply to a destination outside the platform's logs (an HTTP service, a Function) goes to an
 * outbox first, with an internal trigger delivering it from there: a reply is durable before the
 * delivery that produced it is acknowledged, as Knative's specification asks of channels.
 * Without a reply destination, a reply is dropped, as Knative does, and counted.
 */
import { RETENTION_MAX_AGE, RETENTION_MAX_COUNT } from '../../schemas/broker.schema.ts';
import type { ChannelManifest } from '../../schemas/channel.schema.ts';
import type { Destination } from '../../schemas/common.schema.ts';
import type { DeliverySpec } from '../../schemas/delivery.schema.ts';
import { parseDuration } from '../../schemas/duration.ts';
import type { ParallelManifest } from '../../schemas/parallel.schema.ts';
import type { SequenceManifest } from '../../schemas/sequence.schema.ts';
import type { SubscriptionManifest } from '../../schemas/subscription.schema.ts';
import { DEFAULT_MAX_IN_FLIGHT, MAX_IN_FLIGHT } from '../../schemas/trigger.schema.ts';
import type { BrokerKey, Retention } from '../broker/event-log.ts';
import type { LoadedResource } from '../manifests/load-manifests.ts';
import type { FieldPath } from '../manifests/manifest-source.ts';
import type { BrokerConfig, TriggerConfig } from '../manifests/runtime-config.ts';
import {
  channelLog,
  channelPath,
  flowLogOf,
  parallelBranchLog,
  parallelFilterKey,
  parallelLog,
  parallelPath,
  replyLog,
  sequencePath,
  sequenceStepLog,
  subscriptionKey,
} from './flow-names.ts';

/** Delivered entries a flow's channel keeps for `switchyard events` (retention never removes what is not delivered yet). */
export const FLOW_CHANNEL_KEEP = 10_000;

export interface FlowConfig {
  readonly kind: 'Channel' | 'InMemoryChannel' | 'Subscription' | 'Sequence' | 'Parallel';
  /** `namespace/name` */
  readonly key: string;
  /** Where it takes events over HTTP (not for a Subscription). */
  readonly path: string | undefined;
  /** How events move through it, for `validate` and the start-up banner. */
  readonly wiring: string;
  /** The logs it is built from, each with what it holds, for `switchyard events --channel`. */
  readonly channels: ReadonlyArray<{ readonly log: BrokerKey; readonly holds: string }>;
}

interface Parts {
  readonly brokers: Map<BrokerKey, BrokerConfig>;
  readonly triggers: TriggerConfig[];
}

function retentionOf(annotations: Readonly<Record<string, string>> | undefined, fallback: Retention): Retention {
  const maxAge = annotations?.[RETENTION_MAX_AGE];
  const maxCount = annotations?.[RETENTION_MAX_COUNT];
  if (maxAge === undefined && maxCount === undefined) return fallback;
  return Object.freeze({ maxAgeMs: maxAge === undefined ? undefined : parseDuration(maxAge), maxCount: maxCount === undefined ? undefined : Number(maxCount) });
}

const FLOW_RETENTION: Retention = Object.freeze({ maxAgeMs: undefined, maxCount: FLOW_CHANNEL_KEEP });
const NO_RETENTION: Retention = Object.freeze({ maxAgeMs: undefined, maxCount: undefined });

/** How a destination reads in a wiring line: a ref by its name (with kind and namespace when it is a log), else its URI. */
export function describeDestination(destination: Destination, namespace: string): string {
  const ref = destination.ref;
  if (ref === undefined) return destination.uri ?? '?';
  const ns = ref.namespace ?? namespace;
  const isLog = ref.kind === 'Broker' || flowLogOf(ref, ns) !== undefined;
  return isLog ? `${ref.kind} ${ns}/${ref.name}` : `${ref.name}${destination.uri ?? ''}`;
}

class FlowBuilder {
  constructor(private readonly parts: Parts) {}

  log(key: BrokerKey, resource: LoadedResource<unknown>, delivery: DeliverySpec | undefined, retention: Retention, path?: string): void {
    const [namespace = 'default', name = key] = key.split(/\/(.*)/s);
    this.parts.brokers.set(key, Object.freeze({ key, internal: true, path, namespace, name, delivery, retention, source: resource.source }));
  }

  subscription(options: {
    key: string;
    resource: LoadedResource<{ metadata: { annotations?: Record<string, string> | undefined } }>;
    log: BrokerKey;
    subscriber: Destination;
    subscriberPath: FieldPath;
    delivery: DeliverySpec | undefined;
    deliveryPath: FieldPath;
    replyTo: BrokerKey | null;
    label: string;
    discardReplies?: boolean;
  }): void {
    const { key, resource } = options;
    const name = key.slice(key.indexOf('/') + 1);
    this.parts.triggers.push(
      Object.freeze({
        key,
        namespace: resource.namespace,
        name,
        broker: options.log,
        spec: { broker: options.log.slice(options.log.indexOf('/') + 1), subscriber: options.subscriber, ...(options.delivery === undefined ? {} : { delivery: options.delivery }) },
        maxInFlight: Number(resource.manifest.metadata.annotations?.[MAX_IN_FLIGHT] ?? DEFAULT_MAX_IN_FLIGHT),
        source: resource.source,
        subscriberPath: options.subscriberPath,
        deliveryPath: options.deliveryPath,
        replyTo: options.replyTo,
        label: options.label,
        ...(options.discardReplies === true ? { discardReplies: true } : {}),
      }),
    );
  }

  /**
   * The log a reply to `destination` is stored in: the log itself when the destination is one
   * (a Broker, a channel, a flow), else an outbox `<owner>:reply` delivering to it.
   */
  replyTarget(destination: Destination | undefined, path: FieldPath, owner: string, resource: LoadedResource<{ metadata: { annotations?: Record<string, string> | undefined } }>, delivery: DeliverySpec | undefined, deliveryPath: FieldPath, label: string): BrokerKey | null {
    if (destination === undefined) return null;
    const ref = destination.ref;
    if (ref !== undefined && destination.uri === undefined) {
      const ns = ref.namespace ?? resource.namespace;
      if (ref.kind === 'Broker' && ref.apiVersion.startsWith('eventing.knative.dev/')) return `${ns}/${ref.name}`;
      const flow = flowLogOf(ref, ns);
      if (flow !== undefined) return flow.log;
    }
    const outbox = replyLog(owner);
    // Branches without a reply of their own share the Parallel's outbox for spec.reply.
    if (this.parts.brokers.has(outbox)) return outbox;
    this.log(outbox, resource, undefined, FLOW_RETENTION);
    this.subscription({ key: outbox, resource, log: outbox, subscriber: destination, subscriberPath: path, delivery, deliveryPath, replyTo: null, label: `${label} reply`, discardReplies: true });
    return outbox;
  }
}

export function channelConfig(channel: LoadedResource<ChannelManifest>, parts: Parts): FlowConfig {
  const { namespace, name, manifest } = channel;
  const template = manifest.kind === 'Channel' ? manifest.spec?.channelTemplate?.spec?.delivery : undefined;
  const delivery = template === undefined ? manifest.spec?.delivery : { ...template, ...manifest.spec?.delivery };
  const log = channelLog(namespace, name);
  const path = channelPath(namespace, name);
  new FlowBuilder(parts).log(log, channel, delivery, retentionOf(manifest.metadata.annotations, NO_RETENTION), path);
  return Object.freeze({ kind: manifest.kind, key: `${namespace}/${name}`, path, wiring: `${manifest.kind} ${namespace}/${name}: ${path} → its subscriptions`, channels: [{ log, holds: 'what it was sent' }] });
}

export function subscriptionConfig(subscription: LoadedResource<SubscriptionManifest>, parts: Parts): FlowConfig {
  const { namespace, name, manifest } = subscription;
  const { spec } = manifest;
  const builder = new FlowBuilder(parts);
  const key = subscriptionKey(namespace, name);
  const label = `Subscription ${namespace}/${name}`;
  const log = channelLog(namespace, spec.channel.name);
  const subscriber = spec.subscriber ?? (spec.reply as Destination);
  const replyTo = spec.subscriber === undefined ? null : builder.replyTarget(spec.reply, ['spec', 'reply'], key, subscription, spec.delivery, ['spec', 'delivery'], label);
  builder.subscription({
    key,
    resource: subscription,
    log,
    subscriber,
    subscriberPath: spec.subscriber === undefined ? ['spec', 'reply'] : ['spec', 'subscriber'],
    delivery: spec.delivery,
    deliveryPath: ['spec', 'delivery'],
    replyTo,
    label,
    // Without a subscriber the events go to reply as they are, and what reply answers goes nowhere.
    discardReplies: spec.subscriber === undefined,
  });
  const reply = spec.subscriber === undefined || spec.reply === undefined ? 'no reply (replies are dropped)' : `reply ${describeDestination(spec.reply, namespace)}`;
  return Object.freeze({
    kind: 'Subscription',
    key: `${namespace}/${name}`,
    path: undefined,
    wiring: `Subscription ${namespace}/${name}: ${spec.channel.kind} ${namespace}/${spec.channel.name} → ${describeDestination(subscriber, namespace)} → ${reply}`,
    channels: [],
  });
}

export function sequenceConfig(sequence: LoadedResource<SequenceManifest>, parts: Parts): FlowConfig {
  const { namespace, name, manifest } = sequence;
  const { spec } = manifest;
  const builder = new FlowBuilder(parts);
  const delivery = spec.channelTemplate?.spec?.delivery;
  const retention = retentionOf(manifest.metadata.annotations, FLOW_RETENTION);
  const path = sequencePath(namespace, name);
  const last = spec.steps.length - 1;
  const channels: Array<{ log: BrokerKey; holds: string }> = [];
  const replyTo = builder.replyTarget(spec.reply, ['spec', 'reply'], sequenceStepLog(namespace, name, last), sequence, spec.steps[last]?.delivery, ['spec', 'steps', last, 'delivery'], `Sequence ${namespace}/${name}`);
  spec.steps.forEach((step, i) => {
    const log = sequenceStepLog(namespace, name, i);
    builder.log(log, sequence, delivery, retention, i === 0 ? path : undefined);
    const { delivery: stepDelivery, ...destination } = step;
    builder.subscription({
      key: log,
      resource: sequence,
      log,
      subscriber: destination,
      subscriberPath: ['spec', 'steps', i],
      delivery: stepDelivery,
      deliveryPath: ['spec', 'steps', i, 'delivery'],
      replyTo: i < last ? sequenceStepLog(namespace, name, i + 1) : replyTo,
      label: `Sequence ${namespace}/${name} step ${i}`,
    });
    channels.push({ log, holds: `what step ${i} (${describeDestination(destination, namespace)}) receives` });
  });
  const steps = spec.steps.map(({ delivery: _delivery, ...destination }) => describeDestination(destination, namespace));
  const reply = spec.reply === undefined ? 'no reply (the last step\'s replies are dropped)' : `reply ${describeDestination(spec.reply, namespace)}`;
  return Object.freeze({ kind: 'Sequence', key: `${namespace}/${name}`, path, wiring: `Sequence ${namespace}/${name}: channel → ${steps.join(' → ')} → ${reply}`, channels });
}

export function parallelConfig(parallel: LoadedResource<ParallelManifest>, parts: Parts): FlowConfig {
  const { namespace, name, manifest } = parallel;
  const { spec } = manifest;
  const builder = new FlowBuilder(parts);
  const delivery = spec.channelTemplate?.spec?.delivery;
  const retention = retentionOf(manifest.metadata.annotations, FLOW_RETENTION);
  const path = parallelPath(namespace, name);
  const ingress = parallelLog(namespace, name);
  builder.log(ingress, parallel, delivery, retention, path);
  const channels: Array<{ log: BrokerKey; holds: string }> = [{ log: ingress, holds: 'what every branch receives' }];
  const lines = spec.branches.map((branch, i) => {
    const label = `Parallel ${namespace}/${name} branch ${i}`;
    const branchLog = parallelBranchLog(namespace, name, i);
    let reads = ingress;
    if (branch.filter !== undefined) {
      // Knative's filter subscription has no delivery of its own: the channel's applies.
      builder.log(branchLog, parallel, delivery, retention);
      builder.subscription({
        key: parallelFilterKey(namespace, name, i),
        resource: parallel,
        log: ingress,
        subscriber: branch.filter,
        subscriberPath: ['spec', 'branches', i, 'filter'],
        delivery: undefined,
        deliveryPath: ['spec', 'channelTemplate', 'spec', 'delivery'],
        replyTo: branchLog,
        label: `${label} filter`,
      });
      channels.push({ log: branchLog, holds: `what branch ${i}'s filter passed` });
      reads = branchLog;
    }
    const replyDestination = branch.reply ?? spec.reply;
    const replyPath = branch.reply === undefined ? ['spec', 'reply'] : ['spec', 'branches', i, 'reply'];
    const replyTo =
      branch.reply === undefined
        ? builder.replyTarget(spec.reply, replyPath, ingress, parallel, delivery, ['spec', 'channelTemplate', 'spec', 'delivery'], `Parallel ${namespace}/${name}`)
        : builder.replyTarget(branch.reply, replyPath, branchLog, parallel, branch.delivery, ['spec', 'branches', i, 'delivery'], label);
    builder.subscription({
      key: branchLog,
      resource: parallel,
      log: reads,
      subscriber: branch.subscriber,
      subscriberPath: ['spec', 'branches', i, 'subscriber'],
      delivery: branch.delivery,
      deliveryPath: ['spec', 'branches', i, 'delivery'],
      replyTo,
      label,
    });
    const filter = branch.filter === undefined ? '' : `filter ${describeDestination(branch.filter, namespace)} → `;
    const reply = replyDestination === undefined ? 'no reply (replies are dropped)' : `reply ${describeDestination(replyDestination, namespace)}`;
    return `branch ${i}: ${filter}${describeDestination(branch.subscriber, namespace)} → ${reply}`;
  });
  return Object.freeze({ kind: 'Parallel', key: `${namespace}/${name}`, path, wiring: `Parallel ${namespace}/${name}: channel → ${lines.join('; ')}`, channels });
}
