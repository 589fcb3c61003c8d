/**
 * A secret a manifest or the platform configuration names: an environment variable or a file,
 * read when the platform starts, never written in the configuration itself. What cannot be read
 * is an error naming the field (for the configuration problem's position) and why.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { SecretSource } from '../../schemas/webhooksource.schema.ts';
import type { FieldPath } from '../manifests/manifest-source.ts';

export class SecretUnavailableError extends Error {
  constructor(
    readonly path: FieldPath,
    message: string,
  ) {
    super(message);
  }
}

/** `baseDir`: relative secret files are read from there (the manifest's folder). */
export function readSecret(secret: SecretSource, path: FieldPath, baseDir: string): string {
  if ('env' in secret) {
    const value = process.env[secret.env];
    if (value === undefined || value === '') throw new SecretUnavailableError([...path, 'env'], `environment variable ${secret.env} is not set (expected the secret in it)`);
    return value;
  }
  const file = resolve(baseDir, secret.file);
  try {
    // A trailing newline is an artefact of how secret files are written, not part of the secret.
    return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    throw new SecretUnavailableError([...path, 'file'], `cannot read ${file}: ${(error as Error).message}`);
  }
}

/** Tokens held by one secret: one a line (so a file can hold the old and the new while they rotate); `#` lines are comments. */
export function tokensOf(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}
