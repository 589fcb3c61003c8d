/** Every resource kind Switchyard loads, keyed by `apiVersion` and `kind`. */
import type { z } from 'zod';
import { brokerSchema } from './broker.schema.ts';
import { channelSchema, inMemoryChannelSchema } from './channel.schema.ts';
import { functionSchema } from './function.schema.ts';
import { kafkaSinkSchema } from './kafkasink.schema.ts';
import { kafkaSourceSchema } from './kafkasource.schema.ts';
import { parallelSchema } from './parallel.schema.ts';
import { pingSourceSchema } from './pingsource.schema.ts';
import { sequenceSchema } from './sequence.schema.ts';
import { subscriptionSchema } from './subscription.schema.ts';
import { webhookSourceSchema } from './webhooksource.schema.ts';
import { triggerSchema } from './trigger.schema.ts';

export interface ResourceKind {
  readonly apiVersion: string;
  readonly kind: string;
  readonly schema: z.ZodType;
  /** File name of the generated JSON Schema under schemas/json/. */
  readonly jsonSchemaFile: string;
}

export const resourceKinds: readonly ResourceKind[] = [
  { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', schema: brokerSchema, jsonSchemaFile: 'broker.schema.json' },
  { apiVersion: 'eventing.knative.dev/v1', kind: 'Trigger', schema: triggerSchema, jsonSchemaFile: 'trigger.schema.json' },
  { apiVersion: 'switchyard.dev/v1alpha1', kind: 'Function', schema: functionSchema, jsonSchemaFile: 'function.schema.json' },
  { apiVersion: 'sources.knative.dev/v1', kind: 'PingSource', schema: pingSourceSchema, jsonSchemaFile: 'pingsource.schema.json' },
  { apiVersion: 'sources.knative.dev/v1', kind: 'KafkaSource', schema: kafkaSourceSchema, jsonSchemaFile: 'kafkasource.schema.json' },
  { apiVersion: 'eventing.knative.dev/v1alpha1', kind: 'KafkaSink', schema: kafkaSinkSchema, jsonSchemaFile: 'kafkasink.schema.json' },
  { apiVersion: 'switchyard.dev/v1alpha1', kind: 'WebhookSource', schema: webhookSourceSchema, jsonSchemaFile: 'webhooksource.schema.json' },
  { apiVersion: 'messaging.knative.dev/v1', kind: 'Channel', schema: channelSchema, jsonSchemaFile: 'channel.schema.json' },
  { apiVersion: 'messaging.knative.dev/v1', kind: 'InMemoryChannel', schema: inMemoryChannelSchema, jsonSchemaFile: 'inmemorychannel.schema.json' },
  { apiVersion: 'messaging.knative.dev/v1', kind: 'Subscription', schema: subscriptionSchema, jsonSchemaFile: 'subscription.schema.json' },
  { apiVersion: 'flows.knative.dev/v1', kind: 'Sequence', schema: sequenceSchema, jsonSchemaFile: 'sequence.schema.json' },
  { apiVersion: 'flows.knative.dev/v1', kind: 'Parallel', schema: parallelSchema, jsonSchemaFile: 'parallel.schema.json' },
];

/** Kinds users bring from Knative (or Switchyard's own) that a later release of Switchyard will load. */
export const plannedKinds: Readonly<Record<string, string>> = {
  ApiServerSource: 'sources.knative.dev/v1',
  ContainerSource: 'sources.knative.dev/v1',
  SinkBinding: 'sources.knative.dev/v1',
  ObjectStorageSource: 'switchyard.dev/v1alpha1',
};

/**
 * Kinds that Knative tutorials ship beside their eventing manifests (event-display, almost always)
 * and that Switchyard does not run: skipped with a warning, so the tutorial's file loads as it is.
 */
export interface SkippedKind {
  readonly kind: string;
  readonly apiVersion: (apiVersion: string) => boolean;
  readonly why: string;
}

export const skippedKinds: readonly SkippedKind[] = [
  { kind: 'Service', apiVersion: (v) => v.startsWith('serving.knative.dev/'), why: 'a Knative Service is a container, and Switchyard runs no containers' },
  { kind: 'Service', apiVersion: (v) => v === 'v1', why: 'a Kubernetes Service fronts pods, and Switchyard runs no pods' },
  { kind: 'Deployment', apiVersion: (v) => v === 'apps/v1', why: 'a Deployment runs pods, and Switchyard runs no pods' },
];

export function supportedKindsText(): string {
  return resourceKinds.map((k) => `${k.kind} (${k.apiVersion})`).join(', ');
}
