/**
 * WebhookSource (switchyard.dev/v1alpha1): signed HTTP callbacks from services that do not speak
 * CloudEvents (GitHub, Stripe, anything with Standard Webhooks, HMAC, a token or a password),
 * served at POST /webhooks/<namespace>/<name> and sent as CloudEvents to `sink`.
 */
import { z } from 'zod';
import { destinationSchema, duration, metadataSchema } from './common.schema.ts';

/** A secret is read from an environment variable or a file when the platform starts; never written in the manifest. */
export const secretSource = z.union([
  z.strictObject({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'is not an environment variable name' }) }),
  z.strictObject({ file: z.string().min(1) }),
]);
export type SecretSource = z.infer<typeof secretSource>;

const tolerance = duration.optional();

const authSchema = z
  .strictObject({
    github: z.strictObject({ secret: secretSource }).optional(),
    stripe: z.strictObject({ secret: secretSource, tolerance }).optional(),
    standardWebhooks: z.strictObject({ secret: secretSource, tolerance }).optional(),
    hmac: z
      .strictObject({
        secret: secretSource,
        header: z.string().regex(/^[A-Za-z0-9-]+$/, { error: 'is not an HTTP header name' }),
        algorithm: z.enum(['sha1', 'sha256', 'sha512']).optional(),
        encoding: z.enum(['hex', 'base64']).optional(),
        prefix: z.string().optional(),
      })
      .optional(),
    bearer: z.strictObject({ token: secretSource }).optional(),
    basic: z.strictObject({ username: z.string().min(1), password: secretSource }).optional(),
  })
  .refine((auth) => Object.values(auth).filter((v) => v !== undefined).length === 1, {
    error: 'names no preset or several (expected exactly one of github, stripe, standardWebhooks, hmac, bearer, basic)',
  });

/** A fixed value, or one taken from a request header. */
const valueOrHeader = z.union([z.string().min(1), z.strictObject({ header: z.string().regex(/^[A-Za-z0-9-]+$/, { error: 'is not an HTTP header name' }) })]);

export const webhookSourceSchema = z.strictObject({
  apiVersion: z.literal('switchyard.dev/v1alpha1'),
  kind: z.literal('WebhookSource'),
  metadata: metadataSchema,
  spec: z.strictObject({
    /** Without it anyone who can reach the platform can post; `validate` warns. */
    auth: authSchema.optional(),
    /** How a request that is not a CloudEvent becomes one. The github preset defaults these to Knative's GitHubSource. */
    event: z
      .strictObject({
        type: valueOrHeader.optional(),
        source: valueOrHeader.optional(),
        /** A header holding a unique delivery id; a fresh UUID without it. */
        id: z.strictObject({ header: z.string().regex(/^[A-Za-z0-9-]+$/, { error: 'is not an HTTP header name' }) }).optional(),
      })
      .optional(),
    /** Opt-in extensions from the request, names sanitised to CloudEvents rules. */
    extensions: z
      .strictObject({
        method: z.boolean().optional(),
        path: z.boolean().optional(),
        query: z.boolean().optional(),
        headers: z.array(z.string().regex(/^[A-Za-z0-9-]+$/, { error: 'is not an HTTP header name' })).optional(),
      })
      .optional(),
    sink: destinationSchema,
  }),
  status: z.unknown().optional(),
});

export type WebhookSourceManifest = z.infer<typeof webhookSourceSchema>;
