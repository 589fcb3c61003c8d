/**
 * The logs and subscriptions a channel or a flow is built from, and their names. Built as
 * Knative's reconcilers build them (pkg/reconciler/sequence/resources, parallel/resources): a
 * Sequence gets a channel per step, a Parallel an ingress channel and a channel per branch; a
 * subscription on each. Every such channel is a log of the platform's, keyed `<ns>/<kind>:<name>…`:
 * `:` cannot appear in a Kubernetes name, so none collides with a user's Broker or with another
 * flow's. Steps and branches count from 0, as `spec.steps[0]` does. A subscription's key is the key
 * of the log it reads, but for a Parallel's filter, which reads the ingress channel.
 */
import type { BrokerKey } from '../broker/event-log.ts';

export function channelLog(namespace: string, name: string): BrokerKey {
  return `${namespace}/channel:${name}`;
}

export function subscriptionKey(namespace: string, name: string): string {
  return `${namespace}/subscription:${name}`;
}

export function sequenceStepLog(namespace: string, sequence: string, step: number): BrokerKey {
  return `${namespace}/sequence:${sequence}:step-${step}`;
}

export function parallelLog(namespace: string, parallel: string): BrokerKey {
  return `${namespace}/parallel:${parallel}`;
}

export function parallelBranchLog(namespace: string, parallel: string, branch: number): BrokerKey {
  return `${namespace}/parallel:${parallel}:branch-${branch}`;
}

export function parallelFilterKey(namespace: string, parallel: string, branch: number): string {
  return `${namespace}/parallel:${parallel}:filter-${branch}`;
}

/** The outbox of replies going to a destination outside the platform's logs (an HTTP service, a Function). */
export function replyLog(owner: string): BrokerKey {
  return `${owner}:reply`;
}

/** Where a channel or a flow takes events over HTTP. */
export function channelPath(namespace: string, name: string): string {
  return `/channels/${namespace}/${name}`;
}

export function sequencePath(namespace: string, name: string): string {
  return `/flows/${namespace}/sequences/${name}`;
}

export function parallelPath(namespace: string, name: string): string {
  return `/flows/${namespace}/parallels/${name}`;
}

/** The log a destination `ref` of a channel or flow kind delivers into; undefined for other kinds. */
export function flowLogOf(ref: { readonly apiVersion: string; readonly kind: string; readonly name: string }, namespace: string): { log: BrokerKey; path: string } | undefined {
  if (ref.apiVersion.startsWith('messaging.knative.dev/') && (ref.kind === 'Channel' || ref.kind === 'InMemoryChannel')) {
    return { log: channelLog(namespace, ref.name), path: channelPath(namespace, ref.name) };
  }
  if (ref.apiVersion.startsWith('flows.knative.dev/') && ref.kind === 'Sequence') return { log: sequenceStepLog(namespace, ref.name, 0), path: sequencePath(namespace, ref.name) };
  if (ref.apiVersion.startsWith('flows.knative.dev/') && ref.kind === 'Parallel') return { log: parallelLog(namespace, ref.name), path: parallelPath(namespace, ref.name) };
  return undefined;
}
