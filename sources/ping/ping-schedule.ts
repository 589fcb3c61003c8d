/**
 * A PingSource's schedule: parsed, checked and explained once, then asked for fire times. Pure:
 * time comes in as an argument, so tests drive it with any clock.
 *
 * Syntax is Knative's (robfig/cron with an optional leading seconds field and descriptors):
 * five fields (minute hour day-of-month month day-of-week) or six with seconds first; `*`, `,`,
 * `-`, `/`, `?` (day fields), month and weekday names; `@yearly`, `@annually`, `@monthly`,
 * `@weekly`, `@daily`, `@midnight`, `@hourly`; a leading `CRON_TZ=Zone` or `TZ=Zone`. `@every` is
 * refused, as Knative refuses it. The time zone is IANA's; by default the platform's own.
 *
 * Fire times come from cron-parser, the library BullMQ's job schedulers use, so both engines fire
 * on the same instants. Daylight-saving changes (docs/sources.md):
 * - a wall-clock time the change skips (02:30 on a spring-forward night in Europe) fires once, at
 *   the same minute of the hour the clock jumps to (03:30);
 * - a wall-clock time the change repeats (02:30 on a fall-back night) fires once, the first time;
 * - schedules more frequent than hourly keep their pace in real time through both changes.
 */
import { CronExpressionParser } from 'cron-parser';
import cronstrue from 'cronstrue';

const DESCRIPTORS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};
const FIELD_NAMES = ['second', 'minute', 'hour', 'day-of-month', 'month', 'day-of-week'] as const;
const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const EXPECTED = 'expected 5 fields (minute hour day-of-month month day-of-week), 6 with seconds first, or one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly';

export interface PingSchedule {
  /** The cron expression in six fields (seconds first), descriptors expanded. */
  readonly expression: string;
  readonly timezone: string;
  /** In words, with the time zone: "Every 2 minutes, Europe/Berlin". */
  readonly description: string;
  /** The first fire time strictly after `after`. */
  next(after: Date): Date;
  /** The fire times in (from, to], oldest first, at most `limit`. */
  between(from: Date, to: Date, limit: number): Date[];
}

export type ScheduleResult =
  | { readonly ok: true; readonly schedule: PingSchedule }
  | { readonly ok: false; readonly field: 'schedule' | 'timezone'; readonly message: string };

/** The platform's own time zone: the default when a PingSource names none (Knative: the controller's). */
export function systemTimezone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

export function isTimezone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

export function parsePingSchedule(schedule: string, timezone?: string): ScheduleResult {
  let text = schedule.trim();
  let zone = timezone;
  const prefixed = /^(?:CRON_TZ|TZ)=(\S+)\s+(.*)$/.exec(text);
  if (prefixed) {
    if (timezone !== undefined && timezone !== prefixed[1]) {
      return { ok: false, field: 'schedule', message: `names time zone ${prefixed[1]} while spec.timezone is ${timezone} (expected one of them)` };
    }
    zone = prefixed[1];
    text = (prefixed[2] ?? '').trim();
  }
  zone ??= systemTimezone();
  if (!isTimezone(zone)) {
    return { ok: false, field: prefixed ? 'schedule' : 'timezone', message: `${JSON.stringify(zone)} is not a time zone (expected an IANA name like Europe/Berlin or UTC)` };
  }
  const fields = fieldsOf(text);
  if (typeof fields === 'string') return { ok: false, field: 'schedule', message: fields };
  const expression = (fields.length === 5 ? ['0', ...fields] : fields).join(' ');
  try {
    CronExpressionParser.parse(expression, { tz: zone });
  } catch (error) {
    return { ok: false, field: 'schedule', message: `${JSON.stringify(schedule)} is not a valid schedule: ${(error as Error).message} (${EXPECTED})` };
  }
  const tz = zone;
  return {
    ok: true,
    schedule: {
      expression,
      timezone: tz,
      description: `${describe(fields.length === 5 ? fields.join(' ') : expression)}, ${tz}`,
      next: (after) => CronExpressionParser.parse(expression, { tz, currentDate: after }).next().toDate(),
      between(from, to, limit) {
        const fires: Date[] = [];
        const it = CronExpressionParser.parse(expression, { tz, currentDate: from, endDate: to });
        while (fires.length < limit && it.hasNext()) fires.push(it.next().toDate());
        return fires;
      },
    },
  };
}

/** The fields of the expression, or why it is not one Knative accepts. */
function fieldsOf(text: string): string[] | string {
  if (text.startsWith('@')) {
    const word = text.split(/\s+/)[0] ?? text;
    if (word === '@every') return `uses @every, which Knative's PingSource does not accept (${EXPECTED})`;
    const expanded = DESCRIPTORS[text];
    if (expanded === undefined) return `${JSON.stringify(text)} is not a known descriptor (${EXPECTED})`;
    return expanded.split(' ');
  }
  const fields = text.split(/\s+/).filter((f) => f !== '');
  if (fields.length !== 5 && fields.length !== 6) return `has ${fields.length} field${fields.length === 1 ? '' : 's'} (${EXPECTED})`;
  const names = fields.length === 5 ? FIELD_NAMES.slice(1) : FIELD_NAMES;
  for (const [i, field] of fields.entries()) {
    const name = names[i] as (typeof FIELD_NAMES)[number];
    const problem = fieldProblem(field, name);
    if (problem !== undefined) return `${name} field ${JSON.stringify(field)} ${problem}`;
  }
  return fields;
}

function fieldProblem(field: string, name: (typeof FIELD_NAMES)[number]): string | undefined {
  if (!/^[0-9A-Za-z*?,/-]+$/.test(field)) return 'has characters cron does not use (expected digits, names, *, ?, and , - /)';
  if (field.includes('?') && field !== '?') return 'uses ? with something else (expected ? alone)';
  if (field === '?' && name !== 'day-of-month' && name !== 'day-of-week') return 'is ? (expected ? only in the day-of-month or day-of-week field)';
  const words = field.toUpperCase().match(/[A-Z]+/g) ?? [];
  const allowed = name === 'month' ? MONTH_NAMES : name === 'day-of-week' ? DAY_NAMES : [];
  const unknown = words.find((word) => !allowed.includes(word));
  if (unknown === undefined) return undefined;
  if (allowed.length === 0) return `has ${unknown} (expected numbers in the ${name} field)`;
  return `has ${unknown} (expected ${name === 'month' ? 'JAN to DEC' : 'SUN to SAT'} or numbers)`;
}

function describe(expression: string): string {
  try {
    return cronstrue.toString(expression.replaceAll('?', '*'), { use24HourTimeFormat: true });
  } catch {
    return expression;
  }
}
