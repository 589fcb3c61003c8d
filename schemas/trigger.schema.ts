/**
 * Trigger (eventing.knative.dev/v1) with Knative's validation rules (pkg/apis/eventing/v1/
 * trigger_validation.go): attribute names `^[a-z][a-z0-9]*$`; one dialect per filter element;
 * exactly one attribute in each `exact`, `prefix` and `suffix`.
 */
import { z } from 'zod';
import { destinationSchema, metadataSchema } from './common.schema.ts';
import { deliverySchema } from './delivery.schema.ts';

export const ATTRIBUTE_NAME = /^[a-z][a-z0-9]*$/;
export const MAX_IN_FLIGHT = 'switchyard.dev/max-in-flight';
/** Deliveries a trigger has under way at once unless its annotation says otherwise. */
export const DEFAULT_MAX_IN_FLIGHT = 100;

const attributeName = z.string().regex(ATTRIBUTE_NAME, {
  error: (issue) => `attribute name ${JSON.stringify(issue.input)} is invalid (expected a lower-case letter followed by lower-case letters and digits)`,
});

const singleAttribute = z.record(attributeName, z.string()).superRefine((map, ctx) => {
  if (Object.keys(map).length > 1) {
    ctx.addIssue({ code: 'custom', message: `has ${Object.keys(map).length} attributes (expected exactly one; put each in its own filter element)` });
  }
});

export interface FilterElement {
  exact?: Record<string, string> | undefined;
  prefix?: Record<string, string> | undefined;
  suffix?: Record<string, string> | undefined;
  all?: FilterElement[] | undefined;
  any?: FilterElement[] | undefined;
  not?: FilterElement | undefined;
  cesql?: string | undefined;
}

export const DIALECTS = ['exact', 'prefix', 'suffix', 'all', 'any', 'not', 'cesql'] as const;

/** Knative counts a dialect as set only when it is non-empty (hasMultipleDialects). */
export function dialectsOf(element: FilterElement): string[] {
  const found: string[] = [];
  if (element.exact && Object.keys(element.exact).length > 0) found.push('exact');
  if (element.prefix && Object.keys(element.prefix).length > 0) found.push('prefix');
  if (element.suffix && Object.keys(element.suffix).length > 0) found.push('suffix');
  if (element.all && element.all.length > 0) found.push('all');
  if (element.any && element.any.length > 0) found.push('any');
  if (element.not) found.push('not');
  if (element.cesql) found.push('cesql');
  return found;
}

export const filterElementSchema: z.ZodType<FilterElement> = z
  .strictObject({
    exact: singleAttribute.optional(),
    prefix: singleAttribute.optional(),
    suffix: singleAttribute.optional(),
    get all() {
      return z.array(filterElementSchema).optional();
    },
    get any() {
      return z.array(filterElementSchema).optional();
    },
    get not() {
      return filterElementSchema.optional();
    },
    cesql: z.string().describe("A CloudEvents SQL 1.0 expression; the event matches when it yields true without an error, e.g. \"type LIKE 'com.example.%' AND EXISTS subject\"").optional(),
  })
  .superRefine((element, ctx) => {
    const dialects = dialectsOf(element);
    if (dialects.length > 1) {
      ctx.addIssue({
        code: 'custom',
        message: `sets ${dialects.join(' and ')}: multiple dialects found, filters can have only one dialect set (expected one of ${DIALECTS.join(', ')} per list element)`,
      });
    }
  });

export const triggerSchema = z
  .strictObject({
    apiVersion: z.literal('eventing.knative.dev/v1'),
    kind: z.literal('Trigger'),
    metadata: metadataSchema,
    spec: z.strictObject({
      broker: z.string().min(1, { error: 'is empty (expected the name of a Broker in the same namespace)' }),
      filter: z.strictObject({ attributes: z.record(attributeName, z.string()).optional() }).optional(),
      filters: z.array(filterElementSchema).optional(),
      subscriber: destinationSchema,
      delivery: deliverySchema.optional(),
    }),
    status: z.unknown().optional(),
  })
  .superRefine((trigger, ctx) => {
    const inFlight = trigger.metadata.annotations?.[MAX_IN_FLIGHT];
    if (inFlight !== undefined && !/^[1-9]\d*$/.test(inFlight)) {
      ctx.addIssue({
        code: 'custom',
        path: ['metadata', 'annotations', MAX_IN_FLIGHT],
        message: `is ${JSON.stringify(inFlight)} (expected a whole number greater than zero, quoted, like "100")`,
      });
    }
  });

export type TriggerManifest = z.infer<typeof triggerSchema>;
