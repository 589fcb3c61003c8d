/**
 * `__proto__` as an attribute name is refused with 400 like any invalid name, in every content
 * mode; and no attribute lookup ever finds what plain objects inherit (`constructor`).
 */
import { describe, expect, it } from 'vitest';
import type { TriggerManifest } from '../../schemas/trigger.schema.ts';
import { evaluateCesql } from '../../services/cesql/cesql.ts';
import { accepts, compileTriggerFilter } from '../../services/dispatcher/filters/compile-trigger-filter.ts';
import { deferredCleanups } from '../support/cleanups.ts';
import { startTestPlatform } from '../support/platform.ts';

const defer = deferredCleanups();
const base = '"specversion":"1.0","id":"1","source":"/s","type":"t"';

describe('__proto__ as an attribute name', () => {
  it('is refused with 400 naming it, in structured, batch and binary mode, and nothing is stored', async () => {
    const platform = await startTestPlatform();
    defer(() => platform.stop());
    const post = (headers: Record<string, string>, payload?: string) => platform.http.inject({ method: 'POST', url: '/default/default', headers, ...(payload === undefined ? {} : { payload }) });
    const responses = [
      await post({ 'content-type': 'application/cloudevents+json' }, `{${base},"__proto__":{"region":"eu"}}`),
      await post({ 'content-type': 'application/cloudevents+json' }, `{${base},"__proto__":"x"}`),
      await post({ 'content-type': 'application/cloudevents-batch+json' }, `[{${base}},{${base},"__proto__":{"a":1}}]`),
      await post({ 'ce-specversion': '1.0', 'ce-id': '1', 'ce-source': '/s', 'ce-type': 't', 'ce-__proto__': 'x' }),
    ];
    for (const response of responses) {
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ code: 'SWY_EVENT_INVALID', attribute: '__proto__', rule: expect.stringContaining('"__proto__" is not') });
    }
    expect(responses[2]?.json().index).toBe(1);
    expect(await platform.log.list('default/default')).toEqual([]);
  });

  it('no filter finds an inherited property: CESQL, exact and the legacy attributes filter on constructor', () => {
    const attributes = { specversion: '1.0', id: '1', source: '/s', type: 't' };
    expect(evaluateCesql('EXISTS constructor', attributes)).toEqual({ value: false, error: undefined });
    expect(evaluateCesql('constructor', attributes).error?.kind).toBe('missingAttribute');
    const spec = (s: Partial<TriggerManifest['spec']>) => ({ broker: 'b', subscriber: { uri: 'http://x' }, ...s }) as TriggerManifest['spec'];
    expect(accepts(compileTriggerFilter(spec({ filter: { attributes: { constructor: '' } } })), { attributes })).toBe(false);
    expect(accepts(compileTriggerFilter(spec({ filters: [{ prefix: { constructor: 'function' } }] })), { attributes })).toBe(false);
  });
});
