import { describe, expect, it } from 'vitest';
import { generateJsonSchemas, staleJsonSchemas } from '../../schemas/generate.ts';

describe('generated JSON Schema', () => {
  it('the committed files in schemas/json/ match the zod schemas (run `npm run schemas` when this fails)', () => {
    expect(staleJsonSchemas()).toEqual([]);
  });

  it('covers every kind and describes Knative filter dialects', () => {
    const files = generateJsonSchemas();
    expect([...files.keys()].sort()).toEqual(['broker.schema.json', 'function.schema.json', 'manifest.schema.json', 'trigger.schema.json']);
    const trigger = JSON.parse(files.get('trigger.schema.json') ?? '{}');
    expect(JSON.stringify(trigger)).toContain('"exact"');
    expect(trigger.properties.spec.required).toEqual(['broker', 'subscriber']);
  });
});
