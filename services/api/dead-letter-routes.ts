/**
 * Admin API over the dead-letter store (the `switchyard dlq` command uses it):
 *   GET  /api/v1/dead-letters?broker=&trigger=&type=&since=&code=&limit=
 *   GET  /api/v1/dead-letters/:id
 *   POST /api/v1/dead-letters/redrive  {ids?, broker?, trigger?, type?, since?, code?, all?, to?, dryRun?, after?, until?, limit?}
 *   POST /api/v1/dead-letters/purge    {ids?, broker?, trigger?, type?, since?, code?, all?, dryRun?, after?, until?, limit?}
 * Redrive and purge do at most 1,000 entries a call and answer `next` ({after, until}) while more
 * remain: repeat the call with those fields (dead-letter-service.ts, "Chunk").
 * `since` is an RFC 3339 time or an ISO-8601 duration meaning "that long ago".
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseDuration } from '../../schemas/duration.ts';
import { eventToJson } from '../cloudevents/json-format.ts';
import { isRfc3339 } from '../cloudevents/validate-attributes.ts';
import { type DeadLetterService, MAX_CHUNK, MAX_IDS, type Selection } from '../dispatcher/dead-letter-service.ts';
import type { DeadLetter } from '../dispatcher/delivery-store.ts';
import { SwitchyardError } from '../errors.ts';
import { hostAllowed } from '../access/access.ts';

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
  ids: z.array(z.string().regex(/^\d+$/)).max(MAX_IDS, { error: `has more than ${MAX_IDS} ids (expected at most ${MAX_IDS} a request; send more in several requests)` }).optional(),
  all: z.boolean().optional(),
  to: z.url({ protocol: /^https?$/ }).optional(),
  dryRun: z.boolean().optional(),
  /** An operation in chunks: where this call starts (`next` of the previous answer). */
  after: z.string().regex(/^\d+$/).optional(),
  until: z.number().int().min(0).optional(),
  limit: z.number().int().min(1).max(MAX_CHUNK).optional(),
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

/** `flow` says which flow and which step or branch, for a flow's dead letter (`Sequence default/s step 1`). */
export function deadLetterJson(entry: DeadLetter, flow?: string): Record<string, unknown> {
  return {
    id: entry.id,
    broker: entry.broker,
    trigger: entry.trigger,
    ...(flow === undefined ? {} : { flow }),
    reason: entry.reason,
    createdAt: new Date(entry.createdAt).toISOString(),
    attempts: entry.attempts,
    deadLetterSink: entry.deadLetterSink,
    event: eventToJson(entry.event),
  };
}

export async function deadLetterRoutes(app: FastifyInstance, options: { readonly service: DeadLetterService; readonly redriveHosts: readonly string[] | undefined }): Promise<void> {
  const { service } = options;

  app.get('/api/v1/dead-letters', async (request) => {
    const query = parse(listQuery, request.query, 'query');
    const entries = await service.list({ ...query, since: sinceMs(query.since) });
    return { deadLetters: entries.map((entry) => deadLetterJson(entry, service.labelOf(entry.trigger))) };
  });

  app.get<{ Params: { id: string } }>('/api/v1/dead-letters/:id', async (request) => {
    const entry = await service.get(request.params.id);
    return deadLetterJson(entry, service.labelOf(entry.trigger));
  });

  const selection = (body: z.infer<typeof selectionBody>): Selection => {
    const { after: _after, until: _until, limit: _limit, ...rest } = body;
    return { ...rest, since: sinceMs(body.since) };
  };
  const chunk = (body: z.infer<typeof selectionBody>) => ({ afterId: body.after, createdUntil: body.until, limit: body.limit });

  app.post('/api/v1/dead-letters/redrive', async (request) => {
    const body = parse(selectionBody, request.body, 'request body');
    if (body.to !== undefined && !hostAllowed(body.to, options.redriveHosts)) {
      throw new SwitchyardError('SWY_FORBIDDEN', `redrive --to ${new URL(body.to).hostname} is not allowed (expected one of the redriveHosts: ${options.redriveHosts?.join(', ')})`);
    }
    return service.redrive(selection(body), { to: body.to, dryRun: body.dryRun, ...chunk(body) });
  });

  app.post('/api/v1/dead-letters/purge', async (request) => {
    const body = parse(selectionBody, request.body, 'request body');
    if (body.to !== undefined) throw new SwitchyardError('SWY_BAD_REQUEST', 'purge takes no "to"');
    return service.purge(selection(body), { dryRun: body.dryRun, ...chunk(body) });
  });
}
