/**
 * How deeply JSON text nests, found by one pass over its bytes without parsing it. Event data is
 * refused past MAX_JSON_DEPTH at every edge: V8's JSON.stringify recurses, and data nested some
 * thousands deep (`[` × 5,000) made every listing of its broker and every structured delivery of
 * it throw a stack overflow. Pure: no I/O.
 */

/** Levels of arrays and objects event data may nest (a JSON event adds one for its envelope). */
export const MAX_JSON_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

/** True when the text nests arrays and objects more than `limit` levels (brackets inside strings do not count). */
export function jsonDeeperThan(bytes: Uint8Array, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] as number;
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) inString = true;
    else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) {
      if (++depth > limit) return true;
    } else if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) depth--;
  }
  return false;
}
