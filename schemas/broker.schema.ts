/** Broker (eventing.knative.dev/v1), as Knative users write it, plus Switchyard's retention annotations. */
import { z } from 'zod';
import { annotationOf, EVEN_WHEN_INVALID, kReference, metadataSchema } from './common.schema.ts';
import { deliverySchema } from './delivery.schema.ts';
import { DURATION_EXPECTED, parseDuration } from './duration.ts';

export const RETENTION_MAX_AGE = 'switchyard.dev/retention-max-age';
export const RETENTION_MAX_COUNT = 'switchyard.dev/retention-max-count';
/** Publishing to the broker needs a bearer token: from this environment variable, or this file (relative to the manifest; one token a line). */
export const INGRESS_TOKEN_ENV = 'switchyard.dev/ingress-token-env';
export const INGRESS_TOKEN_FILE = 'switchyard.dev/ingress-token-file';

export const brokerSchema = z
  .strictObject({
    apiVersion: z.literal('eventing.knative.dev/v1'),
    kind: z.literal('Broker'),
    metadata: metadataSchema,
    /** `config` names Knative's channel ConfigMap; it is accepted and has no effect here. */
    spec: z.strictObject({ config: kReference.optional(), delivery: deliverySchema.optional() }).optional(),
    status: z.unknown().optional(),
  })
  .superRefine((broker, ctx) => {
    const age = annotationOf(broker, RETENTION_MAX_AGE);
    if (age !== undefined && parseDuration(age) === undefined) {
      ctx.addIssue({ code: 'custom', path: ['metadata', 'annotations', RETENTION_MAX_AGE], message: `is ${JSON.stringify(age)} (expected ${DURATION_EXPECTED})` });
    }
    const count = annotationOf(broker, RETENTION_MAX_COUNT);
    if (count !== undefined && !/^[1-9]\d*$/.test(count)) {
      ctx.addIssue({
        code: 'custom',
        path: ['metadata', 'annotations', RETENTION_MAX_COUNT],
        message: `is ${JSON.stringify(count)} (expected a whole number of events greater than zero, quoted, like "1000000")`,
      });
    }
    if (annotationOf(broker, INGRESS_TOKEN_ENV) !== undefined && annotationOf(broker, INGRESS_TOKEN_FILE) !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['metadata', 'annotations', INGRESS_TOKEN_FILE], message: `is set next to ${INGRESS_TOKEN_ENV} (expected one of the two)` });
    }
    const env = annotationOf(broker, INGRESS_TOKEN_ENV);
    if (env !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(env)) {
      ctx.addIssue({ code: 'custom', path: ['metadata', 'annotations', INGRESS_TOKEN_ENV], message: `is ${JSON.stringify(env)} (expected an environment variable name)` });
    }
  }, EVEN_WHEN_INVALID);

export type BrokerManifest = z.infer<typeof brokerSchema>;
