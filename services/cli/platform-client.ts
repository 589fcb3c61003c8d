/** How commands other than `run` and `validate` reach a running platform: its HTTP API. */
import { type ErrorCode, SwitchyardError } from '../errors.ts';

export const DEFAULT_PLATFORM_URL = 'http://127.0.0.1:8080';

export function platformUrl(flag: string | undefined): string {
  const url = flag ?? process.env['SWITCHYARD_URL'] ?? DEFAULT_PLATFORM_URL;
  try {
    new URL(url);
  } catch {
    throw new SwitchyardError('SWY_USAGE', `${flag !== undefined ? '--url' : 'SWITCHYARD_URL'} ${JSON.stringify(url)} is not a URL (expected like ${DEFAULT_PLATFORM_URL})`);
  }
  return url.replace(/\/+$/, '');
}

/** The token commands send as `Authorization: Bearer …`: --token, else SWITCHYARD_TOKEN. */
export function platformToken(flag: string | undefined): string | undefined {
  const token = flag ?? process.env['SWITCHYARD_TOKEN'];
  return token === undefined || token === '' ? undefined : token;
}

export async function request(url: string, init: RequestInit = {}, token?: string): Promise<Response> {
  const headers = token === undefined ? init.headers : { ...(init.headers as Record<string, string> | undefined), authorization: `Bearer ${token}` };
  try {
    return await fetch(url, { ...init, headers, signal: init.signal ?? AbortSignal.timeout(30_000) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (error as Error).message;
    throw new SwitchyardError('SWY_PLATFORM_UNREACHABLE', `cannot reach ${url} (${why}); is \`switchyard run\` running there? Set --url or SWITCHYARD_URL`, undefined, {
      cause: error,
    });
  }
}

/** Reads a JSON answer; an error status becomes a SwitchyardError carrying the platform's own code. */
export async function jsonOrError(response: Response, what: string, code: ErrorCode = 'SWY_API_ERROR'): Promise<unknown> {
  const text = await response.text();
  let body: unknown;
  try {
    body = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const remote = body as { code?: string; message?: string } | undefined;
    const message = remote?.message ?? (text || response.statusText);
    throw new SwitchyardError(code, `${what} failed: ${response.status} ${remote?.code ?? ''} ${message}`.replace(/\s+/g, ' ').trim(), {
      status: response.status,
      remoteCode: remote?.code,
    });
  }
  return body;
}
