/**
 * Parallel (flows.knative.dev/v1, pkg/apis/flows/v1/parallel_types.go, parallel_validation.go):
 * at least one branch; each branch a required subscriber, and an optional filter (a destination
 * whose CloudEvent answer passes the event on and whose empty answer drops it), reply and delivery.
 */
import { z } from 'zod';
import { destinationSchema, metadataSchema } from './common.schema.ts';
import { channelTemplateSchema } from './channel.schema.ts';
import { deliverySchema } from './delivery.schema.ts';

export const parallelBranchSchema = z.strictObject({
  filter: destinationSchema.optional(),
  subscriber: destinationSchema,
  reply: destinationSchema.optional(),
  delivery: deliverySchema.optional(),
});

export const parallelSchema = z.strictObject({
  apiVersion: z.literal('flows.knative.dev/v1'),
  kind: z.literal('Parallel'),
  metadata: metadataSchema,
  spec: z.strictObject({
    branches: z.array(parallelBranchSchema).min(1, { error: 'is empty (expected at least one branch)' }),
    channelTemplate: channelTemplateSchema.optional(),
    reply: destinationSchema.optional(),
  }),
  status: z.unknown().optional(),
});

export type ParallelBranch = z.infer<typeof parallelBranchSchema>;
export type ParallelManifest = z.infer<typeof parallelSchema>;
