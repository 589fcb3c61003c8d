/**
 * Knative's `secretKeyRef {name, key}` without Kubernetes: the file `<secrets-dir>/<name>/<key>`
 * (the layout Kubernetes gives a secret mounted as a volume, so the same folder works in a pod),
 * else the environment variable `<NAME>_<KEY>` (upper-cased, every other character `_`:
 * `kafka-auth` / `password` → `KAFKA_AUTH_PASSWORD`). Neither is an error naming the ref and both
 * places looked at.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SecretKeyRef } from '../../schemas/kafkasource.schema.ts';
import type { FieldPath } from '../manifests/manifest-source.ts';
import { SecretUnavailableError } from './read-secret.ts';

export const DEFAULT_SECRETS_DIR = './secrets';

export function secretEnvName(name: string, key: string): string {
  return `${name}_${key}`.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
}

/** A key name that could leave the secret's folder is never read as a path. */
const SAFE_SEGMENT = /^[A-Za-z0-9._-]+$/;

export function readSecretKeyRef(ref: SecretKeyRef, path: FieldPath, secretsDir: string): string {
  const { name, key } = ref.secretKeyRef;
  const env = secretEnvName(name, key);
  const safe = SAFE_SEGMENT.test(name) && SAFE_SEGMENT.test(key) && name !== '..' && key !== '..' && name !== '.' && key !== '.';
  const file = join(secretsDir, name, key);
  if (safe) {
    try {
      return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new SecretUnavailableError([...path, 'secretKeyRef'], `cannot read ${file}: ${(error as Error).message}`);
    }
  }
  const value = process.env[env];
  if (value !== undefined && value !== '') return value;
  const where = safe ? `neither the file ${file} nor the environment variable ${env} exists` : `the environment variable ${env} is not set (the name and key are not read as a path)`;
  throw new SecretUnavailableError([...path, 'secretKeyRef'], `secret ${name} key ${key} cannot be read: ${where} (expected the value in one of them; --secrets-dir sets the folder)`);
}
