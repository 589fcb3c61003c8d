/**
 * Trigger (eventing.knative.dev/v1) with Knative's validation rules (pkg/apis/eventing/v1/
 * trigger_validation.go): attribute names `^[a-z][a-z0-9]*$`; one dialect per filter element.
 * `exact`, `prefix` and `suffix` take any number of attributes, all of which must match (Knative's
 * trigger_validation_test.go: "valid exact filter containing more than one attribute"). A dialect
 * written as `null` is not set, as when it is absent (Go unmarshals null to the zero value).
 */
import { z } from 'zod';
import { annotationOf, destinationSchema, EVEN_WHEN_INVALID, metadataSchema } from './common.schema.ts';
import { deliverySchema } from './delivery.schema.ts';

export const ATTRIBUTE_NAME = /^[a-z][a-z0-9]*$/;
export const MAX_IN_FLIGHT = 'switchyard.dev/max-in-flight';
/**
 * The attribute whose value orders delivery: events with the same value reach the subscriber one at
 * a time, in log order, retries included; different values go in parallel (docs/ordered-delivery.md).
 */
export const ORDERING_KEY = 'switchyard.dev/ordering-key';
/** Deliveries a trigger has under way at once unless its annotation says otherwise. */
export const DEFAULT_MAX_IN_FLIGHT = 100;

const attributeName = z.string().regex(ATTRIBUTE_NAME, {
  error: (issue) => `attribute name ${JSON.stringify(issue.input)} is invalid (expected a lower-case letter followed by lower-case letters and digits)`,
});

const attributeMap = z.record(attributeName, z.string());

export interface FilterElement {
  exact?: Record<string, string> | null | undefined;
  prefix?: Record<string, string> | null | undefined;
  suffix?: Record<string, string> | null | undefined;
  all?: FilterElement[] | null | undefined;
  any?: FilterElement[] | null | undefined;
  not?: FilterElement | null | undefined;
  cesql?: string | null | undefined;
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
    exact: attributeMap.nullable().optional(),
    prefix: attributeMap.nullable().optional(),
    suffix: attributeMap.nullable().optional(),
    get all() {
      return z.array(filterElementSchema).nullable().optional();
    },
    get any() {
      return z.array(filterElementSchema).nullable().optional();
    },
    get not() {
      return filterElementSchema.nullable().optional();
    },
    cesql: z
      .string()
      .describe("A CloudEvents SQL 1.0 expression; the event matches when it yields true without an error, e.g. \"type LIKE 'com.example.%' AND EXISTS subject\"")
      .nullable()
      .optional(),
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
      filter: z.strictObject({ attributes: z.record(attributeName, z.string()).nullable().optional() }).nullable().optional(),
      filters: z.array(filterElementSchema).nullable().optional(),
      subscriber: destinationSchema,
      delivery: deliverySchema.optional(),
    }),
    status: z.unknown().optional(),
  })
  .superRefine((trigger, ctx) => {
    const inFlight = annotationOf(trigger, MAX_IN_FLIGHT);
    if (inFlight !== undefined && !/^[1-9]\d*$/.test(inFlight)) {
      ctx.addIssue({
        code: 'custom',
        path: ['metadata', 'annotations', MAX_IN_FLIGHT],
        message: `is ${JSON.stringify(inFlight)} (expected a whole number greater than zero, quoted, like "100")`,
      });
    }
    const orderingKey = annotationOf(trigger, ORDERING_KEY);
    if (orderingKey !== undefined && !ATTRIBUTE_NAME.test(orderingKey)) {
      ctx.addIssue({
        code: 'custom',
        path: ['metadata', 'annotations', ORDERING_KEY],
        message: `is ${JSON.stringify(orderingKey)} (expected the name of a CloudEvents attribute to order by, like "partitionkey" or "subject": a lower-case letter followed by lower-case letters and digits)`,
      });
    }
  }, EVEN_WHEN_INVALID);

export type TriggerManifest = z.infer<typeof triggerSchema>;
