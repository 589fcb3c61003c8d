import { describe, expect, it } from 'vitest';
import { generateJsonSchemas, staleJsonSchemas } from '../../schemas/generate.ts';

describe('generated JSON Schema', () => {
  it('the committed files in schemas/json/ match the zod schemas (run `npm run schemas` when this fails)', () => {
    expect(staleJsonSchemas()).toEqual([]);
  });

  it('covers every kind and the platform configuration file, and describes Knative filter dialects', () => {
    const files = generateJsonSchemas();
    expect([...files.keys()].sort()).toEqual([
      'broker.schema.json',
      'channel.schema.json',
      'function.schema.json',
      'inmemorychannel.schema.json',
      'kafkasink.schema.json',
      'kafkasource.schema.json',
      'manifest.schema.json',
      'parallel.schema.json',
      'pingsource.schema.json',
      'platform-config.schema.json',
      'sequence.schema.json',
      'subscription.schema.json',
      'trigger.schema.json',
      'webhooksource.schema.json',
    ]);
    const config = JSON.parse(files.get('platform-config.schema.json') ?? '{}');
    expect(Object.keys(config.properties.spec.properties)).toEqual(['host', 'port', 'store', 'bodyLimit', 'logLevel', 'requestTimeout', 'maxConnections', 'auth', 'redriveHosts', 'destinations']);
    const trigger = JSON.parse(files.get('trigger.schema.json') ?? '{}');
    expect(JSON.stringify(trigger)).toContain('"exact"');
    expect(trigger.properties.spec.required).toEqual(['broker', 'subscriber']);
  });
});
