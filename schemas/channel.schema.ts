/**
 * Channel and InMemoryChannel (messaging.knative.dev/v1, knative/eventing pkg/apis/messaging/v1/
 * channel_types.go, in_memory_channel_types.go). Whatever the template names, a channel here is a
 * durable log like a broker's: Knative's specification requires a channel to enqueue durably
 * before it acknowledges (knative/specs control-plane.md), and an InMemoryChannel that loses
 * events on a restart is what Knative users complain about most.
 */
import { z } from 'zod';
import { metadataSchema } from './common.schema.ts';
import { deliverySchema } from './delivery.schema.ts';

/**
 * `channelTemplate` (ChannelTemplateSpec): the kind a Knative cluster would create. Its `spec` is
 * raw there; here its `delivery` (when given) is the channel's default delivery, the rest is kept.
 */
export const channelTemplateSchema = z.strictObject({
  apiVersion: z.string().min(1),
  kind: z.string().min(1),
  spec: z.looseObject({ delivery: deliverySchema.optional() }).optional(),
});

/**
 * `subscribers` is filled in by Knative's Subscription controller, not by users: it is accepted
 * (so that a manifest exported from a cluster loads) and has no effect; Subscriptions say who
 * receives a channel's events.
 */
const subscribers = z.array(z.unknown()).optional();

export const channelSchema = z.strictObject({
  apiVersion: z.literal('messaging.knative.dev/v1'),
  kind: z.literal('Channel'),
  metadata: metadataSchema,
  spec: z.strictObject({ channelTemplate: channelTemplateSchema.optional(), delivery: deliverySchema.optional(), subscribers }).optional(),
  status: z.unknown().optional(),
});

export const inMemoryChannelSchema = z.strictObject({
  apiVersion: z.literal('messaging.knative.dev/v1'),
  kind: z.literal('InMemoryChannel'),
  metadata: metadataSchema,
  spec: z.strictObject({ delivery: deliverySchema.optional(), subscribers }).optional(),
  status: z.unknown().optional(),
});

export type ChannelTemplate = z.infer<typeof channelTemplateSchema>;
export type ChannelManifest = z.infer<typeof channelSchema> | z.infer<typeof inMemoryChannelSchema>;

/** The kinds a Subscription's `channel` and a destination's `ref` may name as a channel. */
export const CHANNEL_KINDS: ReadonlySet<string> = new Set(['Channel', 'InMemoryChannel']);
