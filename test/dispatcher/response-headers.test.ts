/** Raw response headers as undici hands them to a dispatch handler, parsed with plain values. */
import { describe, expect, it } from 'vitest';
import { parseRawHeaders } from '../../services/dispatcher/delivery/response-collector.ts';

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
