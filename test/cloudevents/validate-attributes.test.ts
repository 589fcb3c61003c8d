import { describe, expect, it } from 'vitest';
import { isAbsoluteUri, isMediaType, isRfc3339, isUriReference, validateAttributes } from '../../services/cloudevents/validate-attributes.ts';

const valid = { specversion: '1.0', id: 'a-1', source: '/orders', type: 'com.example.order.created' };

function rulesFor(attributes: Record<string, unknown>): string[] {
  return validateAttributes(attributes).map((v) => v.attribute);
}

describe('CloudEvents 1.0.2 attribute rules', () => {
  it('accepts the four required attributes alone', () => {
    expect(validateAttributes(valid)).toEqual([]);
  });

  it.each(['id', 'source', 'type', 'specversion'])('requires %s', (name) => {
    const { [name]: _removed, ...rest } = valid as Record<string, string>;
    expect(validateAttributes(rest)).toEqual([{ attribute: name, rule: `${name} is required` }]);
  });

  it.each(['id', 'source', 'type'])('requires %s to be non-empty', (name) => {
    expect(rulesFor({ ...valid, [name]: '' })).toEqual([name]);
  });

  it('requires specversion 1.0', () => {
    expect(validateAttributes({ ...valid, specversion: '0.3' })[0]?.rule).toMatch(/specversion must be "1.0"/);
  });

  it('requires required attributes to be strings', () => {
    expect(validateAttributes({ ...valid, id: 5 })[0]?.rule).toBe('id must be a string, not a number');
  });

  it('requires source to be a URI-reference', () => {
    expect(rulesFor({ ...valid, source: 'has space' })).toEqual(['source']);
    expect(rulesFor({ ...valid, source: 'bad%zz' })).toEqual(['source']);
    expect(rulesFor({ ...valid, source: 'https://example.com/a?b=c#d' })).toEqual([]);
    expect(rulesFor({ ...valid, source: 'urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66' })).toEqual([]);
  });

  it('checks the optional attributes', () => {
    expect(rulesFor({ ...valid, datacontenttype: 'not a type' })).toEqual(['datacontenttype']);
    expect(rulesFor({ ...valid, datacontenttype: 'application/json; charset=utf-8' })).toEqual([]);
    expect(rulesFor({ ...valid, dataschema: 'relative/path' })).toEqual(['dataschema']);
    expect(rulesFor({ ...valid, dataschema: 'https://example.com/schema.json' })).toEqual([]);
    expect(rulesFor({ ...valid, subject: '' })).toEqual(['subject']);
    expect(rulesFor({ ...valid, time: '2026-02-30T10:00:00Z' })).toEqual(['time']);
    expect(rulesFor({ ...valid, time: 17 })).toEqual(['time']);
  });

  it('requires extension names of lower-case letters and digits', () => {
    expect(rulesFor({ ...valid, myExt: 'x' })).toEqual(['myExt']);
    expect(rulesFor({ ...valid, 'my-ext': 'x' })).toEqual(['my-ext']);
    expect(rulesFor({ ...valid, my_ext: 'x' })).toEqual(['my_ext']);
    expect(rulesFor({ ...valid, ext2: 'x' })).toEqual([]);
  });

  it('allows extension values of string, boolean and 32-bit integer only', () => {
    expect(rulesFor({ ...valid, a: 'x', b: true, c: 2147483647, d: -2147483648 })).toEqual([]);
    expect(rulesFor({ ...valid, e: 2147483648 })).toEqual(['e']);
    expect(rulesFor({ ...valid, f: 1.5 })).toEqual(['f']);
    expect(rulesFor({ ...valid, g: { nested: 1 } })).toEqual(['g']);
    expect(rulesFor({ ...valid, h: [1] })).toEqual(['h']);
  });

  it('reports every violation, not just the first', () => {
    expect(rulesFor({ specversion: '1.0', time: 'yesterday', Bad: 1 })).toEqual(['id', 'source', 'type', 'time', 'Bad']);
  });
});

describe('RFC 3339 timestamps', () => {
  it.each(['2026-01-02T15:04:05Z', '2026-01-02t15:04:05.123456789z', '2024-02-29T00:00:00+01:00', '1985-04-12T23:20:50.52-08:00', '2016-12-31T23:59:60Z'])(
    'accepts %s',
    (value) => expect(isRfc3339(value)).toBe(true),
  );
  it.each(['2026-01-02', '2026-01-02 15:04:05Z', '2023-02-29T00:00:00Z', '2026-04-31T00:00:00Z', '2026-01-02T24:00:00Z', '2026-01-02T15:04:05', '2026-01-02T15:04:05+25:00'])(
    'refuses %s',
    (value) => expect(isRfc3339(value)).toBe(false),
  );
});

describe('URIs and media types', () => {
  it('tells URI-references and absolute URIs apart', () => {
    expect(isUriReference('/a/b')).toBe(true);
    expect(isAbsoluteUri('/a/b')).toBe(false);
    expect(isAbsoluteUri('http://x/y')).toBe(true);
  });
  it('parses RFC 2046 media types with parameters', () => {
    expect(isMediaType('text/plain')).toBe(true);
    expect(isMediaType('application/vnd.api+json; charset="utf-8"')).toBe(true);
    expect(isMediaType('text')).toBe(false);
    expect(isMediaType('text/plain; charset')).toBe(false);
  });
});
