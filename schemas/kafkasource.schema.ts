/**
 * KafkaSource (sources.knative.dev/v1 and v1beta1; eventing-kafka-broker control-plane/pkg/apis/
 * sources/v1/kafka_types.go, kafka_validation.go). `net` secrets are Knative's `secretKeyRef
 * {name, key}`, read without Kubernetes from `<secrets-dir>/<name>/<key>` (a secret volume's layout)
 * or from an environment variable (docs/sources.md). `resources` and the autoscaling annotations
 * are Kubernetes' business: accepted, warned about, without effect (resource-checks.ts).
 */
import { z } from 'zod';
import { KEY_TYPE_LABEL, KEY_TYPES } from '../sources/kafka/kafka-record-event.ts';
import { annotationOf, destinationSchema, EVEN_WHEN_INVALID, fieldOf, metadataSchema } from './common.schema.ts';
import { deliverySchema } from './delivery.schema.ts';
import { ceOverridesSchema } from './ce-overrides.schema.ts';

/** Knative's SecretValueFromSource. */
export const secretKeyRef = z.strictObject({
  secretKeyRef: z.strictObject({ name: z.string().min(1), key: z.string().min(1), optional: z.boolean().optional() }),
});
export type SecretKeyRef = z.infer<typeof secretKeyRef>;

const hostPort = z.string().regex(/^[^\s:/]+:\d{1,5}$/, { error: 'is not HOST:PORT (expected a bootstrap server like my-cluster-kafka-bootstrap.kafka:9092)' });

/**
 * Events of the source waiting for delivery (its outbox's backlog) above which the consumer pauses
 * its partitions; it resumes below half of it (docs/sources.md, "Backpressure").
 */
export const MAX_BACKLOG = 'switchyard.dev/max-backlog';
export const DEFAULT_MAX_BACKLOG = 10_000;

export const kafkaSourceSchema = z
  .strictObject({
    apiVersion: z.enum(['sources.knative.dev/v1', 'sources.knative.dev/v1beta1']),
    kind: z.literal('KafkaSource'),
    metadata: metadataSchema,
    spec: z.strictObject({
      bootstrapServers: z.array(hostPort).min(1),
      topics: z.array(z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, { error: 'is not a Kafka topic name (expected letters, digits, ".", "_" and "-", at most 249)' })).min(1),
      consumerGroup: z.string().min(1).optional(),
      initialOffset: z.enum(['earliest', 'latest']).optional(),
      consumers: z.int().min(1).max(64).optional(),
      ordering: z.enum(['ordered', 'unordered']).optional(),
      delivery: deliverySchema.optional(),
      ceOverrides: ceOverridesSchema.optional(),
      net: z
        .strictObject({
          sasl: z
            .strictObject({
              enable: z.boolean().optional(),
              user: secretKeyRef.optional(),
              password: secretKeyRef.optional(),
              /** PLAIN (default), SCRAM-SHA-256 or SCRAM-SHA-512, read from the secret as Knative does. */
              type: secretKeyRef.optional(),
            })
            .optional(),
          tls: z.strictObject({ enable: z.boolean().optional(), cert: secretKeyRef.optional(), key: secretKeyRef.optional(), caCert: secretKeyRef.optional() }).optional(),
        })
        .optional(),
      /** Pod resources: accepted so Knative manifests load, without effect here (warned about). */
      resources: z.unknown().optional(),
      sink: destinationSchema,
    }),
    status: z.unknown().optional(),
  })
  .superRefine((source, ctx) => {
    const labels = fieldOf(fieldOf(source, 'metadata'), 'labels');
    const keyType = fieldOf(labels, KEY_TYPE_LABEL);
    if (keyType !== undefined && !(KEY_TYPES as readonly unknown[]).includes(keyType)) {
      ctx.addIssue({ code: 'custom', path: ['metadata', 'labels', KEY_TYPE_LABEL], message: `is ${JSON.stringify(keyType)} (expected one of ${KEY_TYPES.join(', ')})` });
    }
    const maxBacklog = annotationOf(source, MAX_BACKLOG);
    if (maxBacklog !== undefined && !/^[1-9]\d*$/.test(maxBacklog)) {
      ctx.addIssue({ code: 'custom', path: ['metadata', 'annotations', MAX_BACKLOG], message: `is ${JSON.stringify(maxBacklog)} (expected a whole number of events greater than zero, quoted, like "10000")` });
    }
    const sasl = fieldOf(fieldOf(fieldOf(source, 'spec'), 'net'), 'sasl');
    if (fieldOf(sasl, 'enable') === true && (fieldOf(sasl, 'user') === undefined || fieldOf(sasl, 'password') === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['spec', 'net', 'sasl'], message: 'enables SASL without user and password (expected both, each a secretKeyRef)' });
    }
  }, EVEN_WHEN_INVALID);

export type KafkaSourceManifest = z.infer<typeof kafkaSourceSchema>;
