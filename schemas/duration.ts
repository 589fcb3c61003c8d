/**
 * ISO-8601 durations as Knative's delivery spec writes them (`PT1S`, `PT0.2S`, `P1D`). Years and
 * months are refused: their length depends on the calendar, and a retry delay must not.
 */
const DURATION = /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** Milliseconds of an ISO-8601 duration, or undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text);
  if (!m || text === 'P' || text.endsWith('T')) return undefined;
  const [, weeks, days, hours, minutes, seconds] = m;
  const part = (value: string | undefined, unitMs: number) => (value === undefined ? 0 : Number(value) * unitMs);
  return Math.round(
    part(weeks, 604_800_000) + part(days, 86_400_000) + part(hours, 3_600_000) + part(minutes, 60_000) + part(seconds, 1000),
  );
}

export const DURATION_EXPECTED = 'an ISO-8601 duration of weeks, days, hours, minutes and seconds, like PT1S, PT0.5S or P7D';

export function formatDuration(ms: number): string {
  if (ms % 86_400_000 === 0 && ms > 0) return `P${ms / 86_400_000}D`;
  return `PT${ms / 1000}S`;
}
