/**
 * PingSource (sources.knative.dev/v1, knative/eventing pkg/apis/sources/v1/ping_types.go and
 * ping_validation.go): a cron schedule that sends one CloudEvent per tick to `sink`.
 */
import { z } from 'zod';
import { parsePingSchedule } from '../sources/ping/ping-schedule.ts';
import { annotationOf, destinationSchema, duration, EVEN_WHEN_INVALID, fieldOf, metadataSchema } from './common.schema.ts';
import { ceOverridesSchema } from './ce-overrides.schema.ts';

/** Replays ticks missed while the platform was down, up to this age (an ISO-8601 duration). */
export const CATCH_UP = 'switchyard.dev/catch-up';
/** Knative's default schedule when `spec.schedule` is left out. */
export const DEFAULT_PING_SCHEDULE = '* * * * *';

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

export const pingSourceSchema = z
  .strictObject({
    apiVersion: z.literal('sources.knative.dev/v1'),
    kind: z.literal('PingSource'),
    metadata: metadataSchema,
    spec: z.strictObject({
      schedule: z.string().min(1).optional(),
      timezone: z.string().min(1).optional(),
      contentType: z.string().min(1).optional(),
      data: z.string().optional(),
      dataBase64: z.base64({ error: 'is not standard base64 (RFC 4648 §4)' }).optional(),
      ceOverrides: ceOverridesSchema.optional(),
      sink: destinationSchema,
    }),
    status: z.unknown().optional(),
  })
  .superRefine((source, ctx) => {
    const spec = fieldOf(source, 'spec');
    const text = (key: string) => {
      const value = fieldOf(spec, key);
      return typeof value === 'string' ? value : undefined;
    };
    const [data, dataBase64, contentType, schedule, timezone] = [text('data'), text('dataBase64'), text('contentType'), fieldOf(spec, 'schedule'), fieldOf(spec, 'timezone')];
    if (data !== undefined && dataBase64 !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['spec', 'dataBase64'], message: 'is set next to data (expected one of data and dataBase64, not both)' });
    }
    if (contentType === 'application/json') {
      const json = data ?? (dataBase64 === undefined ? undefined : Buffer.from(dataBase64, 'base64').toString('utf8'));
      if (json !== undefined && !isJsonObject(json)) {
        ctx.addIssue({ code: 'custom', path: ['spec', data === undefined ? 'dataBase64' : 'data'], message: 'is not a JSON object (expected one, since contentType is application/json)' });
      }
    }
    if ((schedule === undefined || (typeof schedule === 'string' && schedule !== '')) && (timezone === undefined || typeof timezone === 'string')) {
      const parsed = parsePingSchedule(schedule ?? DEFAULT_PING_SCHEDULE, timezone);
      if (!parsed.ok) ctx.addIssue({ code: 'custom', path: ['spec', parsed.field], message: parsed.message });
    }
    const catchUp = annotationOf(source, CATCH_UP);
    if (catchUp !== undefined && !duration.safeParse(catchUp).success) {
      ctx.addIssue({ code: 'custom', path: ['metadata', 'annotations', CATCH_UP], message: `is ${JSON.stringify(catchUp)} (expected an ISO-8601 duration, like PT1H)` });
    }
  }, EVEN_WHEN_INVALID);

export type PingSourceManifest = z.infer<typeof pingSourceSchema>;
