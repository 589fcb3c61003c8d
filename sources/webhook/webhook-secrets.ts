/**
 * Reads a WebhookSource's secrets (environment variables or files, as its manifest names them)
 * and turns its `auth` into what webhook-auth.ts verifies. Done once, when the platform starts;
 * what cannot be read stops the start, naming the source and the field.
 */
import { dirname } from 'node:path';
import type { WebhookSourceManifest } from '../../schemas/webhooksource.schema.ts';
import { parseDuration } from '../../schemas/duration.ts';
import type { ConfigProblem } from '../../services/manifests/config-problem.ts';
import { problemAt } from '../../services/manifests/manifest-source.ts';
import { readSecret, SecretUnavailableError } from '../../services/secrets/read-secret.ts';
import type { WebhookSourceConfig } from '../../services/manifests/runtime-config.ts';
import type { WebhookAuth } from './webhook-auth.ts';
import type { ServedWebhook } from './webhook-routes.ts';

function resolveWebhookAuth(auth: WebhookSourceManifest['spec']['auth'], baseDir: string): WebhookAuth | undefined {
  if (auth === undefined) return undefined;
  const ms = (text: string | undefined) => (text === undefined ? undefined : parseDuration(text));
  if (auth.github) return { kind: 'github', secret: readSecret(auth.github.secret, ['spec', 'auth', 'github', 'secret'], baseDir) };
  if (auth.stripe) return { kind: 'stripe', secret: readSecret(auth.stripe.secret, ['spec', 'auth', 'stripe', 'secret'], baseDir), toleranceMs: ms(auth.stripe.tolerance) };
  if (auth.standardWebhooks) {
    const secret = readSecret(auth.standardWebhooks.secret, ['spec', 'auth', 'standardWebhooks', 'secret'], baseDir);
    return { kind: 'standard-webhooks', secret, toleranceMs: ms(auth.standardWebhooks.tolerance) };
  }
  if (auth.hmac) {
    return {
      kind: 'hmac',
      secret: readSecret(auth.hmac.secret, ['spec', 'auth', 'hmac', 'secret'], baseDir),
      header: auth.hmac.header,
      algorithm: auth.hmac.algorithm ?? 'sha256',
      encoding: auth.hmac.encoding ?? 'hex',
      prefix: auth.hmac.prefix,
    };
  }
  if (auth.bearer) return { kind: 'bearer', token: readSecret(auth.bearer.token, ['spec', 'auth', 'bearer', 'token'], baseDir) };
  if (auth.basic) return { kind: 'basic', username: auth.basic.username, password: readSecret(auth.basic.password, ['spec', 'auth', 'basic', 'password'], baseDir) };
  return undefined;
}

/**
 * Reads each WebhookSource's secrets; every one that cannot be read is a problem at its field
 * (`switchyard validate` reports the same ones).
 */
export function resolveWebhooks(sources: readonly WebhookSourceConfig[]): { served: Map<string, ServedWebhook>; problems: ConfigProblem[] } {
  const served = new Map<string, ServedWebhook>();
  const problems: ConfigProblem[] = [];
  for (const config of sources) {
    try {
      served.set(config.key, { config, auth: resolveWebhookAuth(config.auth, dirname(config.source.file)) });
    } catch (error) {
      problems.push(problemAt(config.source, error instanceof SecretUnavailableError ? error.path : ['spec', 'auth'], (error as Error).message));
    }
  }
  return { served, problems };
}
