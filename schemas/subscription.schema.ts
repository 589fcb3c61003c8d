/**
 * Subscription (messaging.knative.dev/v1, pkg/apis/messaging/v1/subscription_types.go and
 * subscription_validation.go): `channel` is required, and at least one of `subscriber` and `reply`.
 * Without a subscriber, the channel's events go to `reply` as they are.
 */
import { z } from 'zod';
import { destinationSchema, metadataSchema } from './common.schema.ts';
import { deliverySchema } from './delivery.schema.ts';

export const subscriptionSchema = z.strictObject({
  apiVersion: z.literal('messaging.knative.dev/v1'),
  kind: z.literal('Subscription'),
  metadata: metadataSchema,
  spec: z
    .strictObject({
      /** The Channel or InMemoryChannel to subscribe to, in the Subscription's namespace. */
      channel: z.strictObject({ apiVersion: z.string().min(1), kind: z.string().min(1), name: z.string().min(1) }),
      subscriber: destinationSchema.optional(),
      reply: destinationSchema.optional(),
      delivery: deliverySchema.optional(),
    })
    .superRefine((spec, ctx) => {
      if (spec.subscriber === undefined && spec.reply === undefined) {
        ctx.addIssue({ code: 'custom', path: ['subscriber'], message: 'is missing, and so is reply (expected a subscriber, a reply, or both)' });
      }
    }),
  status: z.unknown().optional(),
});

export type SubscriptionManifest = z.infer<typeof subscriptionSchema>;
