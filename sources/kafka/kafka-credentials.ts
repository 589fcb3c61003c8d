/**
 * A KafkaSource's `net` (SASL and TLS) as kafkajs takes it, its secrets read when the platform
 * starts (secret-key-ref.ts). What cannot be read, or a SASL type Switchyard does not speak, is a
 * configuration problem at its field, found by `validate` as by `run`.
 */
import type { SASLOptions } from 'kafkajs';
import type { SecretKeyRef } from '../../schemas/kafkasource.schema.ts';
import type { ConfigProblem } from '../../services/manifests/config-problem.ts';
import { problemAt } from '../../services/manifests/manifest-source.ts';
import { join } from 'node:path';
import type { KafkaSinkConfig, KafkaSourceConfig } from '../../services/manifests/runtime-config.ts';
import { readSecretKeyRef, secretEnvName } from '../../services/secrets/secret-key-ref.ts';
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

/** Every KafkaSource's and KafkaSink's connection, by key, and every problem found reading them. */
export function kafkaConnections(
  sources: readonly KafkaSourceConfig[],
  sinks: Iterable<KafkaSinkConfig>,
  secretsDir: string,
): { connections: Map<string, KafkaConnection>; sinkConnections: Map<string, KafkaConnection>; problems: ConfigProblem[] } {
  const connections = new Map<string, KafkaConnection>();
  const sinkConnections = new Map<string, KafkaConnection>();
  const problems: ConfigProblem[] = [];
  for (const source of sources) {
    const found = kafkaConnection(source, secretsDir);
    connections.set(source.key, found.connection);
    problems.push(...found.problems);
  }
  for (const sink of sinks) {
    const found = kafkaSinkConnection(sink, secretsDir);
    sinkConnections.set(sink.key, found.connection);
    problems.push(...found.problems);
  }
  return { connections, sinkConnections, problems };
}

/** Knative's KafkaSink secret keys: protocol, sasl.mechanism, user, password, ca.crt, user.crt, user.key. */
export function kafkaSinkConnection(config: KafkaSinkConfig, secretsDir: string): { connection: KafkaConnection; problems: ConfigProblem[] } {
  if (config.authSecret === undefined) return { connection: {}, problems: [] };
  const name = config.authSecret;
  const path = ['spec', 'auth', 'secret', 'ref', 'name'];
  const optional = (key: string): string | undefined => {
    try {
      return readSecretKeyRef({ secretKeyRef: { name, key } }, path, secretsDir);
    } catch {
      return undefined;
    }
  };
  const protocol = (optional('protocol') ?? '').trim().toUpperCase();
  const problems: ConfigProblem[] = [];
  if (!['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'].includes(protocol)) {
    const found = protocol === '' ? 'no protocol key' : `protocol ${JSON.stringify(protocol)}`;
    problems.push(problemAt(config.source, path, `names secret ${name}, which has ${found} (expected the file ${join(secretsDir, name, 'protocol')} or the variable ${secretEnvName(name, 'protocol')} holding PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL)`));
    return { connection: {}, problems };
  }
  let sasl: SASLOptions | undefined;
  if (protocol.startsWith('SASL_')) {
    const type = (optional('sasl.mechanism') ?? 'PLAIN').trim().toUpperCase();
    const mechanism = MECHANISMS[type];
    if (mechanism === undefined) problems.push(problemAt(config.source, path, `names secret ${name}, whose sasl.mechanism is ${JSON.stringify(type)} (expected one of ${Object.keys(MECHANISMS).join(', ')})`));
    else sasl = { mechanism, username: optional('user') ?? '', password: optional('password') ?? '' } as SASLOptions;
  }
  let ssl: KafkaConnection['ssl'];
  if (protocol.endsWith('SSL')) {
    const ca = optional('ca.crt');
    const cert = optional('user.crt');
    const key = optional('user.key');
    ssl = ca === undefined && cert === undefined && key === undefined ? true : { ...(ca === undefined ? {} : { ca: [ca] }), ...(cert === undefined ? {} : { cert }), ...(key === undefined ? {} : { key }) };
  }
  return { connection: { ...(ssl === undefined ? {} : { ssl }), ...(sasl === undefined ? {} : { sasl }) }, problems };
}
