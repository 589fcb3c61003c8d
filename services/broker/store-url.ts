/**
 * Parses `--store`: `sqlite:PATH[?synchronous=full|normal]` for the embedded engine,
 * `redis://` or `rediss://` (TLS) for the Redis engine:
 *
 *   redis://[[USER]:PASSWORD@]HOST[:PORT][/DB][?prefix=P&consumer=NAME&claim-idle=MS]
 */
import { hostname } from 'node:os';
import { SwitchyardError } from '../errors.ts';

export const DEFAULT_STORE = 'sqlite:.switchyard/switchyard.db';
export const DEFAULT_REDIS_PREFIX = 'switchyard:';
/** How long an entry may sit unacknowledged with a consumer before another process takes it over. */
export const DEFAULT_CLAIM_IDLE_MS = 30_000;

export interface SqliteLocation {
  readonly engine: 'sqlite';
  readonly path: string;
  readonly synchronous: 'full' | 'normal';
}

export interface RedisLocation {
  readonly engine: 'redis';
  readonly host: string;
  readonly port: number;
  readonly db: number;
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly tls: boolean;
  /** Prepended to every key the engine writes, so several platforms can share one Redis. */
  readonly prefix: string;
  /** This process's consumer name in every trigger's consumer group. */
  readonly consumer: string;
  readonly claimIdleMs: number;
  /** The URL without its password, for messages and logs. */
  readonly display: string;
}

export type StoreLocation = SqliteLocation | RedisLocation;

const REDIS_PARAMS = ['prefix', 'consumer', 'claim-idle'];

export function parseStoreUrl(text: string): StoreLocation {
  if (text.startsWith('sqlite:')) return parseSqlite(text);
  if (/^rediss?:\/\//.test(text)) return parseRedis(text);
  throw new SwitchyardError('SWY_STORE_URL_INVALID', `--store ${JSON.stringify(text)} is not a store URL (expected sqlite:PATH, like ${DEFAULT_STORE}, or redis://HOST:PORT)`);
}

function parseSqlite(text: string): SqliteLocation {
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

function parseRedis(text: string): RedisLocation {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new SwitchyardError('SWY_STORE_URL_INVALID', `--store ${redact(text)} is not a URL (expected redis://HOST:PORT[/DB])`);
  }
  const invalid = (what: string) => new SwitchyardError('SWY_STORE_URL_INVALID', `--store ${redact(text)}: ${what}`);
  if (url.hostname === '') throw invalid('no host (expected redis://HOST:PORT[/DB])');
  const port = url.port === '' ? 6379 : Number(url.port);
  const dbText = url.pathname.replace(/^\//, '');
  if (dbText !== '' && !/^\d+$/.test(dbText)) throw invalid(`database ${JSON.stringify(dbText)} is not a number (expected /0 to /15)`);
  for (const name of url.searchParams.keys()) {
    if (!REDIS_PARAMS.includes(name)) throw invalid(`unknown parameter ${name} (expected ${REDIS_PARAMS.join(', ')})`);
  }
  const prefix = url.searchParams.get('prefix') ?? DEFAULT_REDIS_PREFIX;
  if (prefix === '' || /[\s{}]/.test(prefix)) throw invalid(`prefix ${JSON.stringify(prefix)} must be non-empty, without spaces or braces`);
  const claimIdleText = url.searchParams.get('claim-idle');
  const claimIdleMs = claimIdleText === null ? DEFAULT_CLAIM_IDLE_MS : Number(claimIdleText);
  if (!Number.isInteger(claimIdleMs) || claimIdleMs < 100) throw invalid(`claim-idle=${claimIdleText} is not a whole number of milliseconds of at least 100`);
  const consumer = url.searchParams.get('consumer') ?? `${hostname()}:${process.pid}`;
  if (consumer === '') throw invalid('consumer must not be empty');
  const display = new URL(text);
  if (display.password !== '') display.password = '***';
  return {
    engine: 'redis',
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port,
    db: dbText === '' ? 0 : Number(dbText),
    username: url.username === '' ? undefined : decodeURIComponent(url.username),
    password: url.password === '' ? undefined : decodeURIComponent(url.password),
    tls: url.protocol === 'rediss:',
    prefix,
    consumer,
    claimIdleMs,
    display: display.toString(),
  };
}

function redact(text: string): string {
  return text.replace(/\/\/([^@/]*):[^@/]*@/, '//$1:***@');
}
