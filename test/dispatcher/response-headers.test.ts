/** Raw response headers as undici hands them to a dispatch handler, parsed with plain values. */
import { describe, expect, it } from 'vitest';
import { parseRawHeaders, rawHeader } from '../../services/dispatcher/delivery/response-collector.ts';

const raw = (...pairs: string[]) => pairs.map((text) => Buffer.from(text, 'latin1'));

describe('parseRawHeaders', () => {
  it('lower-cases names and keeps values as they are', () => {
    expect(parseRawHeaders(raw('Content-Type', 'text/plain', 'CE-Id', 'A-1'))).toEqual({ 'content-type': 'text/plain', 'ce-id': 'A-1' });
  });

  it('a repeated header becomes a list in arrival order', () => {
    expect(parseRawHeaders(raw('Set-Cookie', 'a=1', 'set-cookie', 'b=2', 'SET-COOKIE', 'c=3'))['set-cookie']).toEqual(['a=1', 'b=2', 'c=3']);
  });

  it('a header named __proto__ is an ordinary entry', () => {
    const headers = parseRawHeaders(raw('__proto__', 'x', 'retry-after', '5'));
    expect(headers['__proto__']).toBe('x');
    expect(headers['retry-after']).toBe('5');
  });

  it('bytes above 0x7f are read as latin1, as undici does', () => {
    expect(parseRawHeaders([Buffer.from('x-name'), Buffer.from([0x63, 0xe9])])['x-name']).toBe('cé');
  });
});

describe('rawHeader', () => {
  it('finds a header whatever the case of its name, the first of several', () => {
    const headers = raw('Content-Length', '0', 'CE-SpecVersion', '1.0', 'ce-specversion', '0.3');
    expect(rawHeader(headers, 'ce-specversion')).toBe('1.0');
    expect(rawHeader(headers, 'content-length')).toBe('0');
  });

  it('a name of the same length that differs is not a match, nor is a missing header', () => {
    // Both 14 bytes long; only the letters are compared case-insensitively.
    expect(rawHeader(raw('content-length', '12'), 'ce-specversion')).toBeUndefined();
    expect(rawHeader(raw('RETRY_AFTER', '5'), 'retry-after')).toBeUndefined();
    expect(rawHeader([], 'retry-after')).toBeUndefined();
  });
});
