/**
 * Reads the platform configuration file (`--config FILE`, schemas/platform-config.schema.ts) and
 * reports every problem at once, with file, line and column, as manifests do.
 */
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { LineCounter, parseAllDocuments } from 'yaml';
import { type PlatformConfigFile, platformConfigSchema } from '../../schemas/platform-config.schema.ts';
import type { SecretSource } from '../../schemas/webhooksource.schema.ts';
import { parseDuration } from '../../schemas/duration.ts';
import { parseSize } from '../../schemas/size.ts';
import { parseStoreUrl } from '../broker/store-url.ts';
import type { ConfigProblem } from './config-problem.ts';
import { locate, yamlSyntaxProblems } from './yaml-locate.ts';
import { readSecret, SecretUnavailableError } from '../secrets/read-secret.ts';
import { formatPath } from './manifest-source.ts';
import { issueProblems } from './zod-issue-message.ts';

/** The file's settings, ready to use; absent ones are left to flags and defaults. */
export interface PlatformSettings {
  readonly host?: string | undefined;
  readonly port?: number | undefined;
  readonly store?: string | undefined;
  readonly bodyLimit?: number | undefined;
  readonly logLevel?: string | undefined;
  readonly requestTimeoutMs?: number | undefined;
  readonly maxConnections?: number | undefined;
  readonly urlTemplate?: string | undefined;
  readonly services: ReadonlyMap<string, string>;
  readonly adminTokens?: readonly SecretSource[] | undefined;
  readonly readTokens?: readonly SecretSource[] | undefined;
  readonly redriveHosts?: readonly string[] | undefined;
  /** The file's folder: secret files are relative to it. */
  readonly folder?: string | undefined;
}

const RESOURCE = 'PlatformConfig';

export function loadPlatformConfig(file: string): { readonly settings?: PlatformSettings; readonly problems: ConfigProblem[] } {
  const at = (line: number, column: number, field: string, message: string): ConfigProblem => ({ file, line, column, resource: RESOURCE, field, message });
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return { problems: [at(1, 1, '(file)', `cannot be read: ${(error as Error).message}`)] };
  }
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: true });
  const documents = Array.isArray(docs) ? docs.filter((doc) => doc.contents !== null) : [];
  const yamlProblems = documents.flatMap((doc) => yamlSyntaxProblems(file, doc, RESOURCE));
  if (yamlProblems.length > 0) return { problems: yamlProblems };
  const doc = documents[0];
  if (doc === undefined || documents.length > 1) {
    return { problems: [at(1, 1, '(file)', `holds ${documents.length} documents (expected one PlatformConfig)`)] };
  }
  const problemAt = (path: ReadonlyArray<string | number>, message: string, atKey = false) => {
    const { line, column } = locate(doc, lines, path, atKey);
    return at(line, column, formatPath(path), message);
  };
  const value: unknown = doc.toJS({ maxAliasCount: 100 });
  const parsed = platformConfigSchema.safeParse(value, { reportInput: true });
  const problems = parsed.success ? [] : parsed.error.issues.flatMap((issue) => issueProblems(platformConfigSchema, issue).map((p) => problemAt(p.path, p.message, p.atKey)));
  const store = (value as { spec?: { store?: unknown } } | null)?.spec?.store;
  if (typeof store === 'string' && store !== '') {
    try {
      parseStoreUrl(store);
    } catch (error) {
      problems.push(problemAt(['spec', 'store'], (error as Error).message.replace(/^--store /, 'is ')));
    }
  }
  if (parsed.success) {
    // The admin API's tokens must be readable now, as `run` reads them (an unset variable, a missing file).
    const auth = (parsed.data as PlatformConfigFile).spec.auth;
    for (const role of ['adminTokens', 'readTokens'] as const) {
      (auth?.[role] ?? []).forEach((secret, i) => {
        try {
          readSecret(secret, ['spec', 'auth', role, i], dirname(file));
        } catch (error) {
          if (error instanceof SecretUnavailableError) problems.push(problemAt(error.path, error.message));
          else throw error;
        }
      });
    }
  }
  if (!parsed.success || problems.length > 0) return { problems: problems.sort((a, b) => a.line - b.line || a.column - b.column) };
  const { spec } = parsed.data as PlatformConfigFile;
  return {
    problems: [],
    settings: {
      host: spec.host,
      port: spec.port,
      store: spec.store,
      bodyLimit: typeof spec.bodyLimit === 'string' ? parseSize(spec.bodyLimit) : spec.bodyLimit,
      logLevel: spec.logLevel,
      requestTimeoutMs: spec.requestTimeout === undefined ? undefined : parseDuration(spec.requestTimeout),
      maxConnections: spec.maxConnections,
      urlTemplate: spec.destinations?.urlTemplate,
      services: new Map(Object.entries(spec.destinations?.services ?? {})),
      adminTokens: spec.auth?.adminTokens,
      readTokens: spec.auth?.readTokens,
      redriveHosts: spec.redriveHosts,
      folder: dirname(file),
    },
  };
}
