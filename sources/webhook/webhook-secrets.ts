/**
 * Reads a WebhookSource's secrets (environment variables or files, as its manifest names them)
 * and turns its `auth` into what webhook-auth.ts verifies. Done once, when the platform starts;
 * what cannot be read stops the start, naming the source and the field.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { SecretSource, WebhookSourceManifest } from '../../schemas/webhooksource.schema.ts';
import { parseDuration } from '../../schemas/duration.ts';
import { SwitchyardError } from '../../services/errors.ts';
import type { WebhookSourceConfig } from '../../services/manifests/runtime-config.ts';
import type { WebhookAuth } from './webhook-auth.ts';
import type { ServedWebhook } from './webhook-routes.ts';

export class SecretUnavailableError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** `baseDir` is the manifest's folder: relative secret files are read from there. */
export function readSecret(secret: SecretSource, field: string, baseDir: string): string {
  if ('env' in secret) {
    const value = process.env[secret.env];
    if (value === undefined || value === '') throw new SecretUnavailableError(`${field}.env`, `environment variable ${secret.env} is not set (expected the secret in it)`);
    return value;
  }
  const path = resolve(baseDir, secret.file);
  try {
    // A trailing newline is an artefact of how secret files are written, not part of the secret.
    return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    throw new SecretUnavailableError(`${field}.file`, `cannot read ${path}: ${(error as Error).message}`);
  }
}

export function resolveWebhookAuth(auth: WebhookSourceManifest['spec']['auth'], baseDir: string): WebhookAuth | undefined {
  if (auth === undefined) return undefined;
  const ms = (text: string | undefined) => (text === undefined ? undefined : parseDuration(text));
  if (auth.github) return { kind: 'github', secret: readSecret(auth.github.secret, 'spec.auth.github.secret', baseDir) };
  if (auth.stripe) return { kind: 'stripe', secret: readSecret(auth.stripe.secret, 'spec.auth.stripe.secret', baseDir), toleranceMs: ms(auth.stripe.tolerance) };
  if (auth.standardWebhooks) {
    return { kind: 'standard-webhooks', secret: readSecret(auth.standardWebhooks.secret, 'spec.auth.standardWebhooks.secret', baseDir), toleranceMs: ms(auth.standardWebhooks.tolerance) };
  }
  if (auth.hmac) {
    return {
      kind: 'hmac',
      secret: readSecret(auth.hmac.secret, 'spec.auth.hmac.secret', baseDir),
      header: auth.hmac.header,
      algorithm: auth.hmac.algorithm ?? 'sha256',
      encoding: auth.hmac.encoding ?? 'hex',
      prefix: auth.hmac.prefix,
    };
  }
  if (auth.bearer) return { kind: 'bearer', token: readSecret(auth.bearer.token, 'spec.auth.bearer.token', baseDir) };
  if (auth.basic) return { kind: 'basic', username: auth.basic.username, password: readSecret(auth.basic.password, 'spec.auth.basic.password', baseDir) };
  return undefined;
}

/** Reads each WebhookSource's secrets; every one that cannot be read is reported at once. */
export function serveWebhooks(sources: readonly WebhookSourceConfig[]): Map<string, ServedWebhook> {
  const served = new Map<string, ServedWebhook>();
  const problems: string[] = [];
  for (const config of sources) {
    try {
      served.set(config.key, { config, auth: resolveWebhookAuth(config.auth, dirname(config.source.file)) });
    } catch (error) {
      const field = error instanceof SecretUnavailableError ? error.field : 'spec.auth';
      problems.push(`${config.source.file}:${config.source.line}:${config.source.column} WebhookSource/${config.name} ${field}: ${(error as Error).message}`);
    }
  }
  if (problems.length > 0) throw new SwitchyardError('SWY_CONFIG_INVALID', problems.join('\n'));
  return served;
}
