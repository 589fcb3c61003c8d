/**
 * KafkaSink (eventing.knative.dev/v1alpha1; eventing-kafka-broker control-plane/pkg/apis/eventing/
 * v1alpha1/kafka_sink_types.go): an addressable sink producing each event to `topic`. The topic
 * must exist (`numPartitions` and `replicationFactor` are what Knative would create it with:
 * accepted, without effect here). `auth.secret.ref.name` names a secret read from --secrets-dir with
 * Knative's keys: protocol, sasl.mechanism, user, password, ca.crt, user.crt, user.key.
 */
import { z } from 'zod';
import { metadataSchema } from './common.schema.ts';

const hostPort = z.string().regex(/^[^\s:/]+:\d{1,5}$/, { error: 'is not HOST:PORT (expected a bootstrap server like my-cluster-kafka-bootstrap.kafka:9092)' });

export const kafkaSinkSchema = z.strictObject({
  apiVersion: z.literal('eventing.knative.dev/v1alpha1'),
  kind: z.literal('KafkaSink'),
  metadata: metadataSchema,
  spec: z.strictObject({
    topic: z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, { error: 'is not a Kafka topic name (expected letters, digits, ".", "_" and "-", at most 249)' }),
    bootstrapServers: z.array(hostPort).min(1),
    contentMode: z.enum(['binary', 'structured']).optional(),
    numPartitions: z.int().min(1).optional(),
    replicationFactor: z.int().min(1).optional(),
    auth: z.strictObject({ secret: z.strictObject({ ref: z.strictObject({ name: z.string().min(1) }) }) }).optional(),
  }),
  status: z.unknown().optional(),
});

export type KafkaSinkManifest = z.infer<typeof kafkaSinkSchema>;
