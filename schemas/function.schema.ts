/**
 * Function (switchyard.dev/v1alpha1): a JavaScript or TypeScript module the platform hosts as a
 * sink. Its default export receives each CloudEvent (JSON event format) and a context, and returns
 * a reply event, an event-like object, or nothing.
 */
import { z } from 'zod';
import { duration, metadataSchema } from './common.schema.ts';
import { parseDuration } from './duration.ts';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A handler must be inside its manifest's folder (symbolic links resolved), so that a manifest
 * cannot make the platform run any file it can read; `"true"` here allows one outside.
 */
export const HANDLER_OUTSIDE_FOLDER = 'switchyard.dev/handler-outside-folder';

export const functionSchema = z.strictObject({
  apiVersion: z.literal('switchyard.dev/v1alpha1'),
  kind: z.literal('Function'),
  metadata: metadataSchema,
  spec: z.strictObject({
    /** Path of the module, relative to the manifest's folder. */
    handler: z.string().min(1).regex(/\.(m?[jt]s|c?js)$/, { error: 'is not a .js, .mjs, .ts or .mts module (expected a path like ./handler.ts)' }),
    /** Per invocation; a handler still running then counts as a failed, retryable attempt. */
    timeout: duration.refine((text) => (parseDuration(text) ?? 1) > 0, { error: 'must be greater than zero' }).optional(),
    /** Invocations at once, each in its own worker thread. */
    concurrency: z.int().min(1).max(64).optional(),
    env: z.record(z.string().regex(ENV_NAME, { error: 'is not an environment variable name (expected letters, digits and _)' }), z.string()).optional(),
  }),
  status: z.unknown().optional(),
});

export type FunctionManifest = z.infer<typeof functionSchema>;
