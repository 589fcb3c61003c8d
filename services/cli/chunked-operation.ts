/**
 * Runs a dead-letter operation the platform does in chunks (dead-letter-service.ts, "Chunk"):
 * repeats the call with the answer's `next` until there is none, shows progress on a terminal,
 * and repeats a call whose answer was lost (a timeout, a dropped connection): the platform takes
 * each entry at most once, so a repeated call never redoes what the lost one did.
 */
import { SwitchyardError } from '../errors.ts';
import { jsonOrError, request } from './platform-client.ts';

export interface ChunkCursor {
  readonly after: string;
  readonly until: number;
}

interface ChunkAnswer {
  readonly next?: ChunkCursor | undefined;
  readonly total?: number | undefined;
}

/** An answer lost this many times in a row ends the operation with the error. */
const ATTEMPTS = 3;
/** A chunk is at most 1,000 entries; sending each to a slow URL may take a while. */
const CHUNK_TIMEOUT_MS = 120_000;

async function post<T>(url: string, body: unknown, token: string | undefined): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(CHUNK_TIMEOUT_MS) }, token);
      return (await jsonOrError(response, `POST ${new URL(url).pathname}`)) as T;
    } catch (error) {
      if (!(error instanceof SwitchyardError) || error.code !== 'SWY_PLATFORM_UNREACHABLE' || attempt >= ATTEMPTS) throw error;
    }
  }
}

/** Calls `url` with `body` plus the cursor until the selection is done; `each` gets every answer and says how many entries it covered. */
export async function runInChunks<T>(url: string, token: string | undefined, body: Record<string, unknown>, limit: number, each: (answer: T & ChunkAnswer) => number): Promise<void> {
  let cursor: ChunkCursor | undefined;
  let total: number | undefined;
  let done = 0;
  const progress = process.stderr.isTTY === true;
  do {
    const answer = await post<T & ChunkAnswer>(url, { ...body, limit, ...(cursor === undefined ? {} : { after: cursor.after, until: cursor.until }) }, token);
    total ??= answer.total;
    done += each(answer);
    if (progress && total !== undefined) process.stderr.write(`\r${done} of ${total} `);
    cursor = answer.next;
  } while (cursor !== undefined);
  if (progress && total !== undefined) process.stderr.write('\n');
}
