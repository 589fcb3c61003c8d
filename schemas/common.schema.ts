/** Pieces every resource kind shares: metadata, references, destinations. */
import { z } from 'zod';
import { DURATION_EXPECTED, parseDuration } from './duration.ts';

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export const resourceName = z
  .string()
  .max(253)
  .regex(DNS1123_SUBDOMAIN, { error: 'is not a valid name (expected lower-case letters, digits, "-" and ".", starting and ending with a letter or digit)' });

export const namespaceName = z
  .string()
  .max(63)
  .regex(DNS1123_LABEL, { error: 'is not a valid namespace (expected lower-case letters, digits and "-", at most 63 characters)' });

/** Kubernetes object metadata: name and namespace matter here; the rest is kept as written. */
export const metadataSchema = z.looseObject({
  name: resourceName,
  namespace: namespaceName.optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

/**
 * For a resource's own refinements (annotations, fields that depend on each other): run them even
 * when another part of the document is invalid, so that one schema error does not hide another.
 * Such a refinement then reads its input defensively (fieldOf, annotationOf).
 */
export const EVEN_WHEN_INVALID = { when: () => true };

/** `value.key` when value is a map, whatever else is wrong with it. */
export function fieldOf(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>)[key] : undefined;
}

/** A resource's annotation when it is a string. */
export function annotationOf(resource: unknown, name: string): string | undefined {
  const value = fieldOf(fieldOf(fieldOf(resource, 'metadata'), 'annotations'), name);
  return typeof value === 'string' ? value : undefined;
}

export const duration = z.string().refine((text) => parseDuration(text) !== undefined, {
  error: (issue) => `is ${JSON.stringify(issue.input)} (expected ${DURATION_EXPECTED})`,
});

export const kReference = z.strictObject({
  apiVersion: z.string().min(1),
  kind: z.string().min(1),
  name: z.string().min(1),
  namespace: z.string().min(1).optional(),
});

function isAbsoluteUrl(text: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/]/.test(text);
}

/**
 * duckv1.Destination (knative.dev/pkg apis/duck/v1/destination.go): a `ref`, an absolute `uri`,
 * or a `ref` with a relative `uri` resolved against the ref's address.
 */
export const destinationFields = {
  ref: kReference.optional(),
  uri: z.string().min(1).optional(),
  CACerts: z.string().optional(),
  audience: z.string().optional(),
};

/** duckv1.Destination's own validation; also for objects that are a destination plus more (a Sequence step). */
export function checkDestination(destination: { ref?: unknown; uri?: string | undefined }, ctx: z.RefinementCtx): void {
  if (destination.ref === undefined && destination.uri === undefined) {
    ctx.addIssue({ code: 'custom', message: 'has neither ref nor uri (expected at least one of them)' });
  } else if (destination.ref === undefined && destination.uri !== undefined && !isAbsoluteUrl(destination.uri)) {
    ctx.addIssue({
      code: 'custom',
      path: ['uri'],
      message: `is the relative URI ${JSON.stringify(destination.uri)} without a ref (expected an absolute URL like http://host/path, or a ref to resolve it against)`,
    });
  } else if (destination.ref !== undefined && destination.uri !== undefined && isAbsoluteUrl(destination.uri)) {
    ctx.addIssue({
      code: 'custom',
      path: ['uri'],
      message: `is the absolute URI ${JSON.stringify(destination.uri)} next to a ref (expected a relative path such as /my-path when ref is set)`,
    });
  }
}

export const destinationSchema = z.strictObject(destinationFields).superRefine(checkDestination);

export type Destination = z.infer<typeof destinationSchema>;
