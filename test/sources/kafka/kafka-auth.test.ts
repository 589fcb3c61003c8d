/**
 * SASL and TLS as configured from Knative's manifests and secrets: a KafkaSource (net.sasl,
 * net.tls) and a KafkaSink (auth.secret) talk to a listener that requires a client certificate
 * and SASL PLAIN or SCRAM-SHA-256/512 (test/support/kafka-auth-proxy.ts, in front of the mock
 * cluster), with kafkajs unchanged. Wrong credentials are refused by the listener and reported.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deferredCleanups } from '../../support/cleanups.ts';
import { type HttpSink, startHttpSink } from '../../support/http-sink.ts';
import { type KafkaAuthProxy, startKafkaAuthProxy } from '../../support/kafka-auth-proxy.ts';
import { type KafkaMock, startKafkaMock } from '../../support/kafka-mock.ts';
import { startTestPlatform } from '../../support/platform.ts';
import { makeTestCertificates, type TestCertificates } from '../../support/test-certificates.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { waitFor } from '../../support/wait-for.ts';

const defer = deferredCleanups();
let kafka: KafkaMock;
let proxy: KafkaAuthProxy;
let certificates: TestCertificates;
let secretsDir: string;
const work = tempDir();

beforeAll(async () => {
  kafka = await startKafkaMock({ brokers: 1, topics: { secured: 1, 'sink-out': 1 } });
  certificates = makeTestCertificates(work.path);
  const [host, port] = (kafka.brokers[0] as string).split(':');
  proxy = await startKafkaAuthProxy({
    target: { host: host as string, port: Number(port) },
    tls: { key: certificates.serverKey, cert: certificates.serverCert, ca: certificates.ca },
    users: { alice: 's3cret-pass' },
    mechanisms: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'],
  });
  secretsDir = join(work.path, 'secrets');
  const secret = (name: string, files: Record<string, string>) => {
    mkdirSync(join(secretsDir, name), { recursive: true });
    for (const [key, value] of Object.entries(files)) writeFileSync(join(secretsDir, name, key), value);
  };
  const tls = { 'ca.crt': certificates.ca, 'user.crt': certificates.clientCert, 'user.key': certificates.clientKey };
  for (const mechanism of ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']) secret(`kafka-${mechanism.toLowerCase()}`, { user: 'alice', password: 's3cret-pass', type: mechanism, ...tls });
  secret('kafka-wrong', { user: 'alice', password: 'not-it', type: 'SCRAM-SHA-512', ...tls });
  secret('sink-auth', { protocol: 'SASL_SSL', 'sasl.mechanism': 'SCRAM-SHA-512', user: 'alice', password: 's3cret-pass', ...tls });
  const producer = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  await producer.send({ topic: 'secured', acks: -1, messages: [{ value: 'behind tls and sasl' }] });
  await producer.disconnect();
}, 60_000);
afterAll(async () => {
  await proxy?.close();
  await kafka?.stop();
  work.remove();
});

function source(name: string, secret: string, sinkUrl: string): string {
  const ref = (key: string) => `{ secretKeyRef: { name: ${secret}, key: ${key} } }`;
  return `apiVersion: sources.knative.dev/v1
kind: KafkaSource
metadata: { name: ${name} }
spec:
  bootstrapServers: ["${proxy.bootstrap}"]
  topics: [secured]
  consumerGroup: ${name}
  initialOffset: earliest
  net:
    sasl: { enable: true, user: ${ref('user')}, password: ${ref('password')}, type: ${ref('type')} }
    tls: { enable: true, caCert: ${ref('ca.crt')}, cert: ${ref('user.crt')}, key: ${ref('user.key')} }
  sink: { uri: "${sinkUrl}" }
`;
}

async function sink(): Promise<HttpSink> {
  const s = await startHttpSink((_request, response) => response.writeHead(202).end());
  defer(() => s.close());
  return s;
}

describe('Kafka SASL and TLS from secrets', { timeout: 60_000 }, () => {
  it.each(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'])('a KafkaSource authenticates with %s over TLS with a client certificate', async (mechanism) => {
    const s = await sink();
    const before = proxy.authenticated.length;
    const platform = await startTestPlatform(source(`via-${mechanism.toLowerCase()}`, `kafka-${mechanism.toLowerCase()}`, s.url), { secretsDir });
    defer(() => platform.stop());
    await waitFor(() => s.received.length >= 1, `the record at the sink through ${mechanism}`, 30_000);
    expect(s.received[0]?.body.toString()).toBe('behind tls and sasl');
    expect(proxy.authenticated.slice(before)).toContain('alice');
  });

  it('a wrong password is refused by the listener, and /readyz says so while the source keeps trying', async () => {
    const s = await sink();
    const platform = await startTestPlatform(source('wrong-password', 'kafka-wrong', s.url), { secretsDir });
    defer(() => platform.stop());
    let state: { state?: string; reason?: string } | undefined;
    await waitFor(async () => {
      const body = (await (await fetch(`${platform.url}/readyz`)).json()) as { sources?: Array<{ state: string; reason?: string }> };
      state = body.sources?.[0];
      return state?.state === 'unavailable';
    }, 'the source to report the refusal', 30_000, 200);
    expect(state?.reason).toMatch(/SASL SCRAM SHA512 authentication failed|authentication failed/i);
    expect(proxy.refused).toContain('alice');
    expect(s.received).toHaveLength(0);
  });

  it('a KafkaSink produces with SASL_SSL (SCRAM-SHA-512) from its auth secret', async () => {
    const platform = await startTestPlatform(
      `apiVersion: eventing.knative.dev/v1alpha1
kind: KafkaSink
metadata: { name: out }
spec:
  topic: sink-out
  bootstrapServers: ["${proxy.bootstrap}"]
  auth: { secret: { ref: { name: sink-auth } } }
`,
      { secretsDir },
    );
    defer(() => platform.stop());
    const response = await fetch(`${platform.url}/kafka-sinks/default/out`, {
      method: 'POST',
      headers: { 'ce-specversion': '1.0', 'ce-id': 'secured-1', 'ce-source': '/auth-test', 'ce-type': 'com.example.secured', 'content-type': 'text/plain' },
      body: 'produced through sasl_ssl',
    });
    expect(response.status).toBe(202);
    const consumer = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING }).consumer({ groupId: 'auth-test-reader' });
    await consumer.connect();
    defer(() => consumer.disconnect());
    await consumer.subscribe({ topics: ['sink-out'], fromBeginning: true });
    const values: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void values.push(String(message.value)) });
    await waitFor(() => values.length >= 1, 'the produced record in the topic', 30_000);
    expect(values).toEqual(['produced through sasl_ssl']);
  });
});
