/** Parses `--store`: `sqlite:PATH[?synchronous=full|normal]` today; `redis://` arrives with the Redis engine. */
import { SwitchyardError } from '../errors.ts';

export const DEFAULT_STORE = 'sqlite:.switchyard/switchyard.db';

export type StoreLocation = { readonly engine: 'sqlite'; readonly path: string; readonly synchronous: 'full' | 'normal' };

export function parseStoreUrl(text: string): StoreLocation {
  if (text.startsWith('sqlite:')) {
    const [rawPath = '', query = ''] = text.slice('sqlite:'.length).split('?', 2);
    const path = rawPath.startsWith('//') ? rawPath.slice(2) : rawPath;
    if (path.length === 0) {
      throw new SwitchyardError('SWY_STORE_URL_INVALID', `--store ${text} names no file (expected sqlite:PATH, like ${DEFAULT_STORE})`);
    }
    const params = new URLSearchParams(query);
    const synchronous = params.get('synchronous') ?? 'full';
    if (synchronous !== 'full' && synchronous !== 'normal') {
      throw new SwitchyardError('SWY_STORE_URL_INVALID', `--store synchronous=${synchronous} is not supported (expected full or normal)`);
    }
    return { engine: 'sqlite', path, synchronous };
  }
  if (/^rediss?:\/\//.test(text)) {
    throw new SwitchyardError('SWY_STORE_URL_INVALID', `--store ${text}: the Redis engine is not available yet (expected sqlite:PATH)`);
  }
  throw new SwitchyardError('SWY_STORE_URL_INVALID', `--store ${JSON.stringify(text)} is not a store URL (expected sqlite:PATH, like ${DEFAULT_STORE})`);
}
