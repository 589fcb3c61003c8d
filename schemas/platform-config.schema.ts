/**
 * The platform's own configuration file (`switchyard run --config FILE`): what the command-line
 * flags of `run` set, in one place. A flag given on the command line wins over the file.
 */
import { z } from 'zod';
import { duration } from './common.schema.ts';
import { parseDuration } from './duration.ts';
import { LOG_LEVELS } from './log-levels.ts';
import { parseSize, SIZE_EXPECTED } from './size.ts';
import { secretSource } from './webhooksource.schema.ts';

/** `NAME`, `NAMESPACE/NAME` or `KIND/NAMESPACE/NAME` of a subscriber ref. */
const REF_KEY = /^(?:[A-Za-z][A-Za-z0-9]*\/)?(?:[a-z0-9]([-a-z0-9]*[a-z0-9])?\/)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

export const platformConfigSchema = z.strictObject({
  apiVersion: z.literal('switchyard.dev/v1alpha1'),
  kind: z.literal('PlatformConfig'),
  spec: z.strictObject({
    /** Address to listen on (default 127.0.0.1). */
    host: z.string().min(1).optional(),
    /** Port to listen on (default 8080; 0 picks a free one). */
    port: z.int().min(0).max(65535).optional(),
    /** The event store: sqlite:PATH or redis://HOST:PORT (see `switchyard run --help`). */
    store: z.string().min(1).optional(),
    /** Largest request body accepted, like 1MiB. */
    bodyLimit: z
      .union([z.int().min(1), z.string().refine((text) => parseSize(text) !== undefined, { error: `is not a size (expected ${SIZE_EXPECTED})` })])
      .optional(),
    logLevel: z.enum(LOG_LEVELS).optional(),
    /** How long a request may take to arrive, headers and body (default PT30S); a stalled one is closed. */
    requestTimeout: duration.refine((text) => (parseDuration(text) ?? 1) > 0, { error: 'must be greater than zero' }).optional(),
    /** Connections open at once; more are closed as they arrive (default 4096). */
    maxConnections: z.int().min(1).max(1_000_000).optional(),
    /** Bearer tokens for the admin API (everything under /api/): read tokens list and show, admin tokens also redrive and purge. */
    auth: z
      .strictObject({
        adminTokens: z.array(secretSource).optional(),
        readTokens: z.array(secretSource).optional(),
      })
      .optional(),
    /** The hosts `dlq redrive --to` may send to (`*.example.com` for subdomains); any when absent. */
    redriveHosts: z.array(z.string().regex(/^(\*\.)?[A-Za-z0-9.-]+$/, { error: 'is not a host name (expected like localhost or *.example.com)' })).optional(),
    destinations: z
      .strictObject({
        /** How a subscriber ref to another kind becomes a URL; {name} and {namespace} are replaced. */
        urlTemplate: z.string().includes('{name}', { error: 'has no {name} (expected a URL like http://{name}.{namespace}.svc.cluster.local)' }).optional(),
        /** The base URL of one ref, overriding the template: NAME, NAMESPACE/NAME or KIND/NAMESPACE/NAME. */
        services: z
          .record(
            z.string().regex(REF_KEY, { error: 'is not a ref name (expected NAME, NAMESPACE/NAME or KIND/NAMESPACE/NAME)' }),
            z.string().regex(/^https?:\/\/[^/]/, { error: 'is not an http or https URL (expected like http://localhost:9000)' }),
          )
          .optional(),
      })
      .optional(),
  }),
});

export type PlatformConfigFile = z.infer<typeof platformConfigSchema>;
