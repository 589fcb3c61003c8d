import { describe, expect, it } from 'vitest';
import { DEFAULT_CLAIM_IDLE_MS, DEFAULT_REDIS_PREFIX, parseStoreUrl } from '../../services/broker/store-url.ts';
import { SwitchyardError } from '../../services/errors.ts';

const refusal = (text: string) => {
  try {
    parseStoreUrl(text);
  } catch (error) {
    expect(error).toBeInstanceOf(SwitchyardError);
    expect((error as SwitchyardError).code).toBe('SWY_STORE_URL_INVALID');
    return (error as Error).message;
  }
  throw new Error(`${text} was accepted`);
};

describe('--store', () => {
  it('sqlite:PATH with durable commits by default, synchronous=normal on request', () => {
    expect(parseStoreUrl('sqlite:.switchyard/s.db')).toEqual({ engine: 'sqlite', path: '.switchyard/s.db', synchronous: 'full' });
    expect(parseStoreUrl('sqlite:///tmp/s.db?synchronous=normal')).toEqual({ engine: 'sqlite', path: '/tmp/s.db', synchronous: 'normal' });
    expect(refusal('sqlite:')).toContain('names no file');
  });

  it('redis://HOST with the defaults: port 6379, database 0, no password, the default prefix and claim-idle', () => {
    expect(parseStoreUrl('redis://cache.internal')).toMatchObject({
      engine: 'redis',
      host: 'cache.internal',
      port: 6379,
      db: 0,
      username: undefined,
      password: undefined,
      tls: false,
      prefix: DEFAULT_REDIS_PREFIX,
      claimIdleMs: DEFAULT_CLAIM_IDLE_MS,
    });
  });

  it('rediss:// means TLS; user, password (percent-decoded), port, database, prefix, consumer and claim-idle are read', () => {
    const location = parseStoreUrl('rediss://app:p%40ss@10.0.0.5:6380/3?prefix=shop:&consumer=web-1&claim-idle=5000');
    expect(location).toMatchObject({ engine: 'redis', host: '10.0.0.5', port: 6380, db: 3, username: 'app', password: 'p@ss', tls: true, prefix: 'shop:', consumer: 'web-1', claimIdleMs: 5000 });
  });

  it('never shows the password: not in the display form, not in a refusal', () => {
    const location = parseStoreUrl('redis://:hunter2@localhost:6379');
    expect(location.engine === 'redis' && location.display).toBe('redis://:***@localhost:6379');
    expect(refusal('redis://:hunter2@localhost/x')).not.toContain('hunter2');
  });

  it('refuses, naming what is wrong: a database that is not a number, an unknown parameter, a bad claim-idle or prefix', () => {
    expect(refusal('redis://localhost/zero')).toContain('database "zero" is not a number');
    expect(refusal('redis://localhost?prefx=a')).toContain('unknown parameter prefx (expected prefix, consumer, claim-idle)');
    expect(refusal('redis://localhost?claim-idle=5s')).toContain('claim-idle=5s is not a whole number of milliseconds');
    expect(refusal('redis://localhost?prefix=')).toContain('must be non-empty');
    expect(refusal('postgres://localhost')).toContain('expected sqlite:PATH');
  });
});
