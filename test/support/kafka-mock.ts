/**
 * A Kafka cluster for tests: librdkafka's mock cluster (real wire protocol) started through
 * test/support/kafka-mock-cluster.py. Needs python3 and librdkafka1 (.ci/run installs them); a
 * test that needs it fails, never skips, when it cannot start.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const LAUNCHER = fileURLToPath(new URL('./kafka-mock-cluster.py', import.meta.url));

export interface KafkaMock {
  /** `127.0.0.1:PORT,…` */
  readonly bootstrap: string;
  readonly brokers: string[];
  /** Creates a topic through the mock (kafkajs's createTopics fails on the mock's controller id). */
  createTopic(name: string, partitions: number): Promise<void>;
  /** The next `count` requests of Kafka API `apiKey` fail with `errorCode` (-195: the connection drops). */
  failRequests(apiKey: number, errorCode: number, count: number): Promise<void>;
  setBrokerDown(id: number, down: boolean): Promise<void>;
  stop(): Promise<void>;
}

export async function startKafkaMock(options: { brokers?: number; topics?: Record<string, number> } = {}): Promise<KafkaMock> {
  const args = [LAUNCHER, '--brokers', String(options.brokers ?? 1), ...Object.entries(options.topics ?? {}).flatMap(([name, n]) => ['--topic', `${name}:${n}`])];
  const child: ChildProcess = spawn('python3', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiting: Array<(line: string) => void> = [];
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const bootstrap = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the Kafka mock cluster did not start in 15 s: ${stderr}`)), 15_000);
    child.on('error', (error) => reject(new Error(`the Kafka mock cluster cannot start (python3 and librdkafka1 are needed): ${error.message}`)));
    child.on('exit', (code) => reject(new Error(`the Kafka mock cluster exited with ${code}: ${stderr.trim() || stdout.trim()} (apt-get install librdkafka1)`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      let newline: number;
      while ((newline = stdout.indexOf('\n')) !== -1) {
        const line = stdout.slice(0, newline);
        stdout = stdout.slice(newline + 1);
        const next = waiting.shift();
        if (next !== undefined) next(line);
        else {
          clearTimeout(timer);
          resolve(line.trim());
        }
      }
    });
  });
  child.removeAllListeners('exit');
  const command = (text: string) =>
    new Promise<void>((resolve, reject) => {
      waiting.push((line) => (line.startsWith(`ok ${text.split(' ')[0]}`) && !line.endsWith('unknown') ? resolve() : reject(new Error(`mock: ${text} → ${line}`))));
      child.stdin?.write(`${text}\n`);
    });
  return {
    bootstrap,
    brokers: bootstrap.split(','),
    createTopic: (name, partitions) => command(`topic ${name} ${partitions}`),
    failRequests: (apiKey, errorCode, count) => command(`err ${apiKey} ${errorCode} ${count}`),
    setBrokerDown: (id, down) => command(`${down ? 'down' : 'up'} ${id}`),
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.stdin?.end();
        setTimeout(() => child.kill('SIGKILL'), 2000).unref();
      }),
  };
}
