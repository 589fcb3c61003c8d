/**
 * Admin API over the dead-letter store (the `switchyard dlq` command uses it):
 *   GET  /api/v1/dead-letters?broker=&trigger=&type=&since=&code=&limit=
 *   GET  /api/v1/dead-letters/:id
 *   POST /api/v1/dead-letters/redrive  {ids?, broker?, trigger?, type?, since?, code?, all?, to?, dryRun?}
 *   POST /api/v1/dead-letters/purge    {ids?, broker?, trigger?, type?, since?, code?, all?, dryRun?}
 * `since` is an RFC 3339 time or an ISO-8601 duration meaning "that long ago".
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseDuration } from '../../schemas/duration.ts';
import { eventToJson } from '../cloudevents/json-format.ts';
import { isRfc3339 } from '../cloudevents/validate-attributes.ts';
import type { DeadLetterService, Selection } from '../dispatcher/dead-letter-service.ts';
import type { DeadLetter } from '../dispatcher/delivery-store.ts';
import { SwitchyardError } from '../errors.ts';

const since = z.string().refine((text) => isRfc3339(text) || parseDuration(text) !== undefined, {
  error: 'is not an RFC 3339 time or an ISO-8601 duration (expected like 2026-11-23T10:00:00Z or PT1H)',
});

const filterFields = {
  broker: z.string().optional(),
  trigger: z.string().optional(),
  type: z.string().optional(),
  since: since.optional(),
  code: z.coerce.number().int().min(100).max(599).optional(),
};

const listQuery = z.strictObject({ ...filterFields, limit: z.coerce.number().int().min(1).max(100_000).optional() });
const selectionBody = z.strictObject({
  ...filterFields,
  ids: z.array(z.string().regex(/^\d+$/)).optional(),
  all: z.boolean().optional(),
  to: z.url({ protocol: /^https?$/ }).optional(),
  dryRun: z.boolean().optional(),
});

function parse<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || where}: ${issue.message}`);
  throw new SwitchyardError('SWY_BAD_REQUEST', `the ${where} is invalid: ${problems.join('; ')}`);
}

function sinceMs(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  return isRfc3339(text) ? Date.parse(text) : Date.now() - (parseDuration(text) ?? 0);
}

export function deadLetterJson(entry: DeadLetter): Record<string, unknown> {
  return {
    id: entry.id,
    broker: entry.broker,
    trigger: entry.trigger,
    reason: entry.reason,
    createdAt: new Date(entry.createdAt).toISOString(),
    attempts: entry.attempts,
    deadLetterSink: entry.deadLetterSink,
    event: eventToJson(entry.event),
  };
}

export async function deadLetterRoutes(app: FastifyInstance, options: { readonly service: DeadLetterService }): Promise<void> {
  const { service } = options;

  app.get('/api/v1/dead-letters', async (request) => {
    const query = parse(listQuery, request.query, 'query');
    const entries = await service.list({ ...query, since: sinceMs(query.since) });
    return { deadLetters: entries.map(deadLetterJson) };
  });

  app.get<{ Params: { id: string } }>('/api/v1/dead-letters/:id', async (request) => deadLetterJson(await service.get(request.params.id)));

  const selection = (body: z.infer<typeof selectionBody>): Selection => ({ ...body, since: sinceMs(body.since) });

  app.post('/api/v1/dead-letters/redrive', async (request) => {
    const body = parse(selectionBody, request.body, 'request body');
    return { results: await service.redrive(selection(body), { to: body.to, dryRun: body.dryRun }) };
  });

  app.post('/api/v1/dead-letters/purge', async (request) => {
    const body = parse(selectionBody, request.body, 'request body');
    if (body.to !== undefined) throw new SwitchyardError('SWY_BAD_REQUEST', 'purge takes no "to"');
    return service.purge(selection(body), { dryRun: body.dryRun });
  });
}
