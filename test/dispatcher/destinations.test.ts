import { describe, expect, it } from 'vitest';
import { DEFAULT_URL_TEMPLATE, resolveDestination, UnresolvableDestinationError } from '../../services/dispatcher/destinations.ts';

const options = (overrides: Record<string, string> = {}) => ({
  urlTemplate: DEFAULT_URL_TEMPLATE,
  overrides: new Map(Object.entries(overrides)),
  baseUrl: () => 'http://127.0.0.1:8080',
});
const service = { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'my-service' };

describe('destinations', () => {
  it('an absolute uri is used as it is', () => {
    expect(resolveDestination({ uri: 'http://sink.example:9000/x' }, 'default', options())).toEqual({ kind: 'http', url: 'http://sink.example:9000/x' });
  });
  it('a Service ref resolves to the Kubernetes service address by default, in the trigger namespace', () => {
    expect(resolveDestination({ ref: service }, 'shop', options())).toEqual({ kind: 'http', url: 'http://my-service.shop.svc.cluster.local/', template: true });
    expect(resolveDestination({ ref: { ...service, namespace: 'other' } }, 'shop', options()).kind === 'http').toBe(true);
  });
  it('a relative uri resolves against the ref (Knative subscriber ref + uri)', () => {
    expect(resolveDestination({ ref: service, uri: '/my-custom-path' }, 'default', options())).toMatchObject({
      url: 'http://my-service.default.svc.cluster.local/my-custom-path',
    });
    expect(resolveDestination({ ref: service, uri: 'example-uri' }, 'default', options())).toMatchObject({
      url: 'http://my-service.default.svc.cluster.local/example-uri',
    });
  });
  it('overrides per name, most specific first', () => {
    const o = options({ 'my-service': 'http://localhost:1', 'default/my-service': 'http://localhost:2', 'Service/default/my-service': 'http://localhost:3/base' });
    expect(resolveDestination({ ref: service, uri: '/p' }, 'default', o)).toMatchObject({ url: 'http://localhost:3/p' });
    expect(resolveDestination({ ref: service, uri: 'p' }, 'default', o)).toMatchObject({ url: 'http://localhost:3/base/p' });
    expect(resolveDestination({ ref: service }, 'other', o)).toMatchObject({ url: 'http://localhost:1/' });
  });
  it('a custom URL template', () => {
    const o = { ...options(), urlTemplate: 'http://localhost:7000/{namespace}/{name}' };
    expect(resolveDestination({ ref: service }, 'shop', o)).toMatchObject({ url: 'http://localhost:7000/shop/my-service/' });
  });
  it('a Broker ref stays inside the platform', () => {
    expect(resolveDestination({ ref: { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', name: 'default' } }, 'shop', options())).toEqual({
      kind: 'broker',
      broker: 'shop/default',
      url: 'http://127.0.0.1:8080/shop/default',
    });
  });
  it('Channels, Sequences and Parallels resolve to the log they take events into, in the ref namespace or the resource one', () => {
    expect(resolveDestination({ ref: { apiVersion: 'flows.knative.dev/v1', kind: 'Sequence', name: 's' } }, 'default', options())).toEqual({
      kind: 'broker',
      broker: 'default/sequence:s:step-0',
      url: 'http://127.0.0.1:8080/flows/default/sequences/s',
    });
    expect(resolveDestination({ ref: { apiVersion: 'flows.knative.dev/v1', kind: 'Parallel', name: 'p', namespace: 'shop' } }, 'default', options())).toEqual({
      kind: 'broker',
      broker: 'shop/parallel:p',
      url: 'http://127.0.0.1:8080/flows/shop/parallels/p',
    });
    for (const kind of ['Channel', 'InMemoryChannel']) {
      expect(resolveDestination({ ref: { apiVersion: 'messaging.knative.dev/v1', kind, name: 'c' } }, 'ns', options())).toEqual({ kind: 'broker', broker: 'ns/channel:c', url: 'http://127.0.0.1:8080/channels/ns/c' });
    }
  });
  it('a uri spelling out a Kubernetes service address goes where --service-url for that service says, path and query kept', () => {
    const uri = 'http://me-even-odd-switcher.default.svc.cluster.local/0?x=1';
    expect(resolveDestination({ uri }, 'default', options({ 'me-even-odd-switcher': 'http://127.0.0.1:9000/base' }))).toEqual({ kind: 'http', url: 'http://127.0.0.1:9000/base/0?x=1' });
    expect(resolveDestination({ uri }, 'default', options({ 'default/me-even-odd-switcher': 'http://127.0.0.1:9001' }))).toEqual({ kind: 'http', url: 'http://127.0.0.1:9001/0?x=1' });
    expect(resolveDestination({ uri }, 'default', options({ other: 'http://127.0.0.1:9001' }))).toEqual({ kind: 'http', url: uri });
    expect(resolveDestination({ uri: 'http://example.com/x' }, 'default', options({ example: 'http://127.0.0.1:9001' }))).toEqual({ kind: 'http', url: 'http://example.com/x' });
  });
  it('kinds that arrive later are refused, not guessed', () => {
    expect(() => resolveDestination({ ref: { apiVersion: 'flows.knative.dev/v1', kind: 'Branch', name: 's' } }, 'default', options())).toThrow(UnresolvableDestinationError);
    expect(() => resolveDestination({ ref: { apiVersion: 'messaging.knative.dev/v1', kind: 'Subscription', name: 's' } }, 'default', options())).toThrow(UnresolvableDestinationError);
  });
});
