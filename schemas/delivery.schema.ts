/** duckv1.DeliverySpec (knative/eventing pkg/apis/duck/v1/delivery_types.go), plus `backoffMax`. */
import { z } from 'zod';
import { destinationSchema, duration } from './common.schema.ts';
import { parseDuration } from './duration.ts';

export const deliverySchema = z
  .strictObject({
    deadLetterSink: destinationSchema.optional(),
    retry: z.int().min(0).max(1000).optional(),
    backoffPolicy: z.enum(['linear', 'exponential']).optional(),
    backoffDelay: duration.optional(),
    backoffMax: duration.optional(),
    timeout: duration.optional(),
    retryAfterMax: duration.optional(),
    format: z.enum(['json', 'binary']).optional(),
  })
  .superRefine((delivery, ctx) => {
    if (delivery.timeout !== undefined && parseDuration(delivery.timeout) === 0) {
      ctx.addIssue({ code: 'custom', path: ['timeout'], message: `is ${JSON.stringify(delivery.timeout)} (expected a duration greater than zero)` });
    }
  });

export type DeliverySpec = z.infer<typeof deliverySchema>;
