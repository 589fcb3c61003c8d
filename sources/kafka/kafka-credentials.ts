/**
 * A KafkaSource's `net` (SASL and TLS) as kafkajs takes it, its secrets read when the platform
 * starts (secret-key-ref.ts). What cannot be read, or a SASL type Switchyard does not speak, is a
 * configuration problem at its field, found by `validate` as by `run`.
 */
import type { SASLOptions } from 'kafkajs';
import type { SecretKeyRef } from '../../schemas/kafkasource.schema.ts';
import type { ConfigProblem } from '../../services/manifests/config-problem.ts';
import { problemAt } from '../../services/manifests/manifest-source.ts';
import type { KafkaSourceConfig } from '../../services/manifests/runtime-config.ts';
import { readSecretKeyRef } from '../../services/secrets/secret-key-ref.ts';
import type { KafkaConnection } from './kafka-source.ts';

/** Knative's SASL types (its `net.sasl.type` secret) and kafkajs's names for them. */
const MECHANISMS: Readonly<Record<string, 'plain' | 'scram-sha-256' | 'scram-sha-512'>> = {
  PLAIN: 'plain',
  'SCRAM-SHA-256': 'scram-sha-256',
  'SCRAM-SHA-512': 'scram-sha-512',
};

export function kafkaConnection(config: KafkaSourceConfig, secretsDir: string): { connection: KafkaConnection; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const read = (ref: SecretKeyRef | undefined, path: readonly (string | number)[]): string | undefined => {
    if (ref === undefined) return undefined;
    try {
      return readSecretKeyRef(ref, path, secretsDir);
    } catch (error) {
      problems.push(problemAt(config.source, [...path, 'secretKeyRef'], (error as Error).message));
      return undefined;
    }
  };
  const { sasl, tls } = config.net ?? {};
  let saslOptions: SASLOptions | undefined;
  if (sasl?.enable === true) {
    const user = read(sasl.user, ['spec', 'net', 'sasl', 'user']) ?? '';
    const password = read(sasl.password, ['spec', 'net', 'sasl', 'password']) ?? '';
    const type = (read(sasl.type, ['spec', 'net', 'sasl', 'type']) ?? 'PLAIN').trim().toUpperCase();
    const mechanism = MECHANISMS[type];
    if (mechanism === undefined) {
      problems.push(problemAt(config.source, ['spec', 'net', 'sasl', 'type'], `names SASL type ${JSON.stringify(type)} (expected one of ${Object.keys(MECHANISMS).join(', ')}; OAUTHBEARER and AWS MSK IAM are not supported)`));
    } else {
      saslOptions = { mechanism, username: user, password } as SASLOptions;
    }
  }
  let ssl: KafkaConnection['ssl'];
  if (tls?.enable === true) {
    const ca = read(tls.caCert, ['spec', 'net', 'tls', 'caCert']);
    const cert = read(tls.cert, ['spec', 'net', 'tls', 'cert']);
    const key = read(tls.key, ['spec', 'net', 'tls', 'key']);
    ssl = ca === undefined && cert === undefined && key === undefined ? true : { ...(ca === undefined ? {} : { ca: [ca] }), ...(cert === undefined ? {} : { cert }), ...(key === undefined ? {} : { key }) };
  }
  return { connection: { ...(ssl === undefined ? {} : { ssl }), ...(saslOptions === undefined ? {} : { sasl: saslOptions }) }, problems };
}

/** Every KafkaSource's connection, in order, and every problem found reading them. */
export function kafkaConnections(sources: readonly KafkaSourceConfig[], secretsDir: string): { connections: KafkaConnection[]; problems: ConfigProblem[] } {
  const connections: KafkaConnection[] = [];
  const problems: ConfigProblem[] = [];
  for (const source of sources) {
    const found = kafkaConnection(source, secretsDir);
    connections.push(found.connection);
    problems.push(...found.problems);
  }
  return { connections, problems };
}
