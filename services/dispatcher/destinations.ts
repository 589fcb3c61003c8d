/**
 * Where a Destination (`uri`, `ref`, or `ref` + relative `uri`) delivers. Brokers, Channels,
 * Sequences and Parallels resolve inside the platform, to the log they take events into
 * (flow-names.ts); other kinds (a Knative Service, say) through a URL template whose default is the
 * Kubernetes service address Knative itself would use, overridable per name.
 */
import type { Destination } from '../../schemas/common.schema.ts';
import type { BrokerKey } from '../broker/event-log.ts';
import { flowLogOf } from '../flows/flow-names.ts';

export type ResolvedDestination =
  /** `template`: the URL came from the URL template, not from a `uri` or a per-ref override. */
  | { readonly kind: 'http'; readonly url: string; readonly template?: boolean | undefined }
  /** A log of the platform's: a Broker's, or the channel a Channel, Sequence or Parallel takes events into. */
  | { readonly kind: 'broker'; readonly broker: BrokerKey; readonly url: string }
  | { readonly kind: 'function'; readonly function: string; readonly url: string }
  /** A KafkaSink: delivered is produced to its topic and acknowledged by Kafka. */
  | { readonly kind: 'kafka'; readonly sink: string; readonly url: string };

export const DEFAULT_URL_TEMPLATE = 'http://{name}.{namespace}.svc.cluster.local';

export interface DestinationOptions {
  /** `{name}` and `{namespace}` are replaced. */
  readonly urlTemplate: string;
  /** `name`, `namespace/name` or `Kind/namespace/name` → base URL; the most specific wins. */
  readonly overrides: ReadonlyMap<string, string>;
  /** The platform's own address, so that a broker destination can be shown as a URL. */
  readonly baseUrl: () => string;
}

export class UnresolvableDestinationError extends Error {
  override readonly name = 'UnresolvableDestinationError';
}

function refBase(ref: NonNullable<Destination['ref']>, namespace: string, options: DestinationOptions): { base: string; template: boolean } {
  const ns = ref.namespace ?? namespace;
  const override = options.overrides.get(`${ref.kind}/${ns}/${ref.name}`) ?? options.overrides.get(`${ns}/${ref.name}`) ?? options.overrides.get(ref.name);
  if (override !== undefined) return { base: override, template: false };
  return { base: options.urlTemplate.replaceAll('{name}', ref.name).replaceAll('{namespace}', ns), template: true };
}

/** `http://NAME.NAMESPACE.svc.cluster.local/…` (or `NAME.NAMESPACE.svc`), as Knative manifests write a service's address. */
const CLUSTER_HOST = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.svc(\.cluster\.local)?\.?$/;

/**
 * A `uri` naming a Kubernetes service address (Knative's tutorials write them, a Parallel's
 * filters for one) goes where an override for that service says, path and query kept, so that
 * `--service-url NAME=URL` serves a manifest that spells the address out as it serves a `ref`.
 */
export function isClusterAddress(uri: string): boolean {
  try {
    return CLUSTER_HOST.test(new URL(uri).hostname);
  } catch {
    return false;
  }
}

function clusterUriOverride(uri: string, options: DestinationOptions): string | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return undefined;
  }
  const match = CLUSTER_HOST.exec(url.hostname);
  if (match === null) return undefined;
  const [, name = '', , ns = ''] = match;
  const override = options.overrides.get(`Service/${ns}/${name}`) ?? options.overrides.get(`${ns}/${name}`) ?? options.overrides.get(name);
  if (override === undefined) return undefined;
  const base = new URL(override.endsWith('/') ? override : `${override}/`);
  return new URL(`${url.pathname.replace(/^\//, '')}${url.search}`, base).href;
}

export function resolveDestination(destination: Destination, namespace: string, options: DestinationOptions): ResolvedDestination {
  const ref = destination.ref;
  if (ref === undefined) return { kind: 'http', url: clusterUriOverride(destination.uri as string, options) ?? (destination.uri as string) };
  if (ref.kind === 'Broker' && ref.apiVersion.startsWith('eventing.knative.dev/')) {
    const broker = `${ref.namespace ?? namespace}/${ref.name}`;
    return { kind: 'broker', broker, url: `${options.baseUrl()}/${broker}` };
  }
  if (ref.kind === 'Function' && ref.apiVersion.startsWith('switchyard.dev/')) {
    const key = `${ref.namespace ?? namespace}/${ref.name}`;
    return { kind: 'function', function: key, url: `function://${key}` };
  }
  if (ref.kind === 'KafkaSink' && ref.apiVersion.startsWith('eventing.knative.dev/')) {
    const key = `${ref.namespace ?? namespace}/${ref.name}`;
    return { kind: 'kafka', sink: key, url: `${options.baseUrl()}/kafka-sinks/${key}` };
  }
  const flow = flowLogOf(ref, ref.namespace ?? namespace);
  if (flow !== undefined) return { kind: 'broker', broker: flow.log, url: `${options.baseUrl()}${flow.path}` };
  if (ref.apiVersion.startsWith('switchyard.dev/') || ref.apiVersion.startsWith('flows.knative.dev/') || ref.apiVersion.startsWith('messaging.knative.dev/')) {
    throw new UnresolvableDestinationError(
      `names ${ref.kind} (${ref.apiVersion}), which is not a destination Switchyard delivers to yet (expected a uri, or a ref to a Broker, Channel, InMemoryChannel, Sequence, Parallel, Function, KafkaSink, or a service reached through the URL template or --service-url)`,
    );
  }
  const { base, template } = refBase(ref, namespace, options);
  const url = new URL(destination.uri ?? '', base.endsWith('/') ? base : `${base}/`);
  return { kind: 'http', url: url.href, template };
}
