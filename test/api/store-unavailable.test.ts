/**
 * Health tells the truth while Redis is away: the admin API answers 503 with Retry-After (not
 * 500), like ingress and /readyz, and recovers by itself when Redis is back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorTable } from '../../services/errors.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { type TestRedis, startRedis } from '../support/redis-server.ts';
import { waitFor } from '../support/wait-for.ts';

let redis: TestRedis;
let platform: TestPlatform;
beforeAll(async () => {
  redis = await startRedis({ private: true });
  platform = await startTestPlatform(undefined, { store: redis.storeUrl() });
});
afterAll(async () => {
  await platform?.stop();
  await redis?.stop();
});

describe('Health tells the truth', () => {
  it('while Redis is away, GET /api/v1/dead-letters and the events listing answer 503 with Retry-After; when it is back, 200', async () => {
    expect((await fetch(`${platform.url}/api/v1/dead-letters`)).status).toBe(200);
    await redis.kill();
    await waitFor(async () => (await fetch(`${platform.url}/readyz`)).status === 503, '/readyz to notice Redis is gone', 10_000, 50);
    for (const path of ['/api/v1/dead-letters', '/api/v1/brokers/default/default/events']) {
      const response = await fetch(`${platform.url}${path}`);
      expect(response.status, path).toBe(503);
      expect(response.headers.get('retry-after')).toBe(String(errorTable.SWY_STORE_UNAVAILABLE.retryAfterSeconds));
      expect(((await response.json()) as { code: string }).code).toBe('SWY_STORE_UNAVAILABLE');
    }
    await redis.start();
    await waitFor(async () => (await fetch(`${platform.url}/api/v1/dead-letters`)).status === 200, 'the dead-letter API to answer again', 15_000, 100);
  });
});
