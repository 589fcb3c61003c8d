/**
 * Brokers that take events only with a token (annotations switchyard.dev/ingress-token-env or
 * -file): their tokens, read when the platform starts; a secret that cannot be read is a
 * configuration problem at the annotation, as `validate` reports it too.
 */
import { dirname } from 'node:path';
import type { ConfigProblem } from '../../manifests/config-problem.ts';
import { problemAt } from '../../manifests/manifest-source.ts';
import type { RuntimeConfig } from '../../manifests/runtime-config.ts';
import { readSecret, tokensOf } from '../../secrets/read-secret.ts';
import type { BrokerKey } from '../event-log.ts';

export function readIngressTokens(config: RuntimeConfig): { tokens: Map<BrokerKey, string[]>; problems: ConfigProblem[] } {
  const tokens = new Map<BrokerKey, string[]>();
  const problems: ConfigProblem[] = [];
  for (const broker of config.brokers.values()) {
    const wanted = broker.ingressToken;
    if (wanted === undefined) continue;
    try {
      const found = tokensOf(readSecret(wanted.secret, wanted.path, dirname(broker.source.file)));
      if (found.length === 0) problems.push(problemAt(broker.source, wanted.path, 'names a secret that holds no token (expected one token a line)'));
      else tokens.set(broker.key, found);
    } catch (error) {
      problems.push(problemAt(broker.source, wanted.path, (error as Error).message));
    }
  }
  return { tokens, problems };
}
