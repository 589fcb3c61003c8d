/**
 * Sequence (flows.knative.dev/v1, pkg/apis/flows/v1/sequence_types.go, sequence_validation.go):
 * at least one step; each step a destination with its own optional delivery.
 */
import { z } from 'zod';
import { checkDestination, destinationFields, destinationSchema, metadataSchema } from './common.schema.ts';
import { channelTemplateSchema } from './channel.schema.ts';
import { deliverySchema } from './delivery.schema.ts';

export const sequenceStepSchema = z.strictObject({ ...destinationFields, delivery: deliverySchema.optional() }).superRefine(checkDestination);

export const sequenceSchema = z.strictObject({
  apiVersion: z.literal('flows.knative.dev/v1'),
  kind: z.literal('Sequence'),
  metadata: metadataSchema,
  spec: z.strictObject({
    steps: z.array(sequenceStepSchema).min(1, { error: 'is empty (expected at least one step)' }),
    channelTemplate: channelTemplateSchema.optional(),
    reply: destinationSchema.optional(),
  }),
  status: z.unknown().optional(),
});

export type SequenceStep = z.infer<typeof sequenceStepSchema>;
export type SequenceManifest = z.infer<typeof sequenceSchema>;
