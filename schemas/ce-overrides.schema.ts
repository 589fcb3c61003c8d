/** duckv1.CloudEventOverrides (knative.dev/pkg apis/duck/v1/source_types.go): extensions a source sets on every event it sends. */
import { z } from 'zod';
import { ATTRIBUTE_NAME } from './trigger.schema.ts';

export const ceOverridesSchema = z.strictObject({
  extensions: z
    .record(
      z.string().regex(ATTRIBUTE_NAME, { error: 'is not a CloudEvents attribute name (expected lower-case letters and digits, starting with a letter)' }),
      z.union([z.string(), z.number(), z.boolean()]),
    )
    .optional(),
});
