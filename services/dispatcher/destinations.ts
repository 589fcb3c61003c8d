/**
 * Where a Destination (`uri`, `ref`, or `ref` + relative `uri`) delivers. Brokers resolve inside the
 * platform; other kinds (a Knative Service, say) through a URL template whose default is the
 * Kubernetes service address Knative itself would use, overridable per name.
 */
import type { Destination } from '../../schemas/common.schema.ts';
import type { BrokerKey } from '../broker/event-log.ts';

export type ResolvedDestination =
  /** `template`: the URL came from the URL template, not from a `uri` or a per-ref override. */
  | { readonly kind: 'http'; readonly url: string; readonly template?: boolean | undefined }
  | { readonly kind: 'broker'; readonly broker: BrokerKey; readonly url: string }
  | { readonly kind: 'function'; readonly function: string; readonly url: string };

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

export function resolveDestination(destination: Destination, namespace: string, options: DestinationOptions): ResolvedDestination {
  const ref = destination.ref;
  if (ref === undefined) return { kind: 'http', url: destination.uri as string };
  if (ref.kind === 'Broker' && ref.apiVersion.startsWith('eventing.knative.dev/')) {
    const broker = `${ref.namespace ?? namespace}/${ref.name}`;
    return { kind: 'broker', broker, url: `${options.baseUrl()}/${broker}` };
  }
  if (ref.kind === 'Function' && ref.apiVersion.startsWith('switchyard.dev/')) {
    const key = `${ref.namespace ?? namespace}/${ref.name}`;
    return { kind: 'function', function: key, url: `function://${key}` };
  }
  if (ref.apiVersion.startsWith('switchyard.dev/') || ref.apiVersion.startsWith('flows.knative.dev/')) {
    throw new UnresolvableDestinationError(
      `names ${ref.kind} (${ref.apiVersion}), which is not a destination Switchyard delivers to yet (expected a uri, or a ref to a Broker, a Function, or a service reached through the URL template or --service-url)`,
    );
  }
  const { base, template } = refBase(ref, namespace, options);
  const url = new URL(destination.uri ?? '', base.endsWith('/') ? base : `${base}/`);
  return { kind: 'http', url: url.href, template };
}
