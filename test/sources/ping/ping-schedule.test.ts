/** PingSource schedules as plain values: syntax Knative accepts and refuses, time zones, DST, words. */
import { describe, expect, it } from 'vitest';
import { type PingSchedule, parsePingSchedule } from '../../../sources/ping/ping-schedule.ts';

function schedule(text: string, timezone?: string): PingSchedule {
  const result = parsePingSchedule(text, timezone);
  if (!result.ok) throw new Error(`${text}: ${result.message}`);
  return result.schedule;
}

function refusal(text: string, timezone?: string): { field: string; message: string } {
  const result = parsePingSchedule(text, timezone);
  if (result.ok) throw new Error(`${text} was accepted`);
  return result;
}

/** The next `count` fire times after `from`, as ISO strings: the clock is the argument. */
function fires(s: PingSchedule, from: string, count: number): string[] {
  const out: string[] = [];
  let at = new Date(from);
  for (let i = 0; i < count; i++) out.push((at = s.next(at)).toISOString());
  return out;
}

describe('PingSource schedule syntax', () => {
  it('five fields fire on the minute; six fields have seconds first', () => {
    expect(fires(schedule('*/2 * * * *', 'UTC'), '2026-11-24T10:00:30Z', 3)).toEqual(['2026-11-24T10:02:00.000Z', '2026-11-24T10:04:00.000Z', '2026-11-24T10:06:00.000Z']);
    expect(fires(schedule('*/10 * * * * *', 'UTC'), '2026-11-24T10:00:00Z', 3)).toEqual(['2026-11-24T10:00:10.000Z', '2026-11-24T10:00:20.000Z', '2026-11-24T10:00:30.000Z']);
    expect(schedule('*/2 * * * *', 'UTC').expression).toBe('0 */2 * * * *');
  });

  it('descriptors: @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly', () => {
    expect(fires(schedule('@hourly', 'UTC'), '2026-11-24T10:15:00Z', 2)).toEqual(['2026-11-24T11:00:00.000Z', '2026-11-24T12:00:00.000Z']);
    expect(fires(schedule('@midnight', 'UTC'), '2026-11-24T10:15:00Z', 1)).toEqual(['2026-11-25T00:00:00.000Z']);
    expect(fires(schedule('@weekly', 'UTC'), '2026-11-24T10:15:00Z', 1)).toEqual(['2026-11-29T00:00:00.000Z']); // a Sunday
    expect(fires(schedule('@monthly', 'UTC'), '2026-11-24T10:15:00Z', 1)).toEqual(['2026-12-01T00:00:00.000Z']);
    expect(fires(schedule('@yearly', 'UTC'), '2026-11-24T10:15:00Z', 1)).toEqual(fires(schedule('@annually', 'UTC'), '2026-11-24T10:15:00Z', 1));
  });

  it('names, lists, ranges, steps and ? in a day field', () => {
    expect(fires(schedule('0 9 ? * MON-FRI', 'UTC'), '2026-11-27T10:00:00Z', 2)).toEqual(['2026-11-30T09:00:00.000Z', '2026-12-01T09:00:00.000Z']); // Fri -> Mon, Tue
    expect(fires(schedule('0 0 1 jan,jul *', 'UTC'), '2026-11-24T00:00:00Z', 2)).toEqual(['2027-01-01T00:00:00.000Z', '2027-07-01T00:00:00.000Z']);
  });

  it('refuses what Knative refuses, saying what is wrong and what was expected', () => {
    expect(refusal('@every 1m').message).toMatch(/uses @every, which Knative's PingSource does not accept \(expected 5 fields/);
    expect(refusal('@fortnightly').message).toMatch(/"@fortnightly" is not a known descriptor/);
    expect(refusal('* * * *').message).toMatch(/^has 4 fields \(expected 5 fields \(minute hour day-of-month month day-of-week\), 6 with seconds first/);
    expect(refusal('0 0 L * *').message).toMatch(/day-of-month field "L" has L \(expected numbers in the day-of-month field\)/);
    expect(refusal('0 0 * * MON#2').message).toMatch(/day-of-week field "MON#2" has characters cron does not use/);
    expect(refusal('? * * * *').message).toMatch(/minute field "\?" is \? \(expected \? only in the day-of-month or day-of-week field\)/);
    expect(refusal('0 0 * FOO *').message).toMatch(/month field "FOO" has FOO \(expected JAN to DEC or numbers\)/);
    expect(refusal('61 * * * *')).toMatchObject({ field: 'schedule', message: expect.stringMatching(/"61 \* \* \* \*" is not a valid schedule: .+/) });
  });
});

describe('PingSource time zones', () => {
  it('fires on the wall clock of the zone', () => {
    expect(fires(schedule('0 9 * * *', 'Europe/Berlin'), '2026-11-24T00:00:00Z', 1)).toEqual(['2026-11-24T08:00:00.000Z']); // CET, UTC+1
    expect(fires(schedule('0 9 * * *', 'America/New_York'), '2026-07-01T00:00:00Z', 1)).toEqual(['2026-07-01T13:00:00.000Z']); // EDT, UTC-4
  });

  it('a leading CRON_TZ= names the zone, as in robfig/cron; it must not contradict spec.timezone', () => {
    expect(schedule('CRON_TZ=Asia/Tokyo 0 9 * * *').timezone).toBe('Asia/Tokyo');
    expect(schedule('TZ=UTC 0 9 * * *', 'UTC').timezone).toBe('UTC');
    expect(refusal('CRON_TZ=Asia/Tokyo 0 9 * * *', 'UTC').message).toMatch(/names time zone Asia\/Tokyo while spec.timezone is UTC/);
  });

  it('a wrong zone is refused on timezone', () => {
    expect(refusal('* * * * *', 'Europe/Berlinn')).toEqual({ ok: false, field: 'timezone', message: '"Europe/Berlinn" is not a time zone (expected an IANA name like Europe/Berlin or UTC)' });
    expect(refusal('CRON_TZ=Mars/Olympus * * * * *').field).toBe('schedule');
  });
});

describe('PingSource and daylight-saving changes (Europe/Berlin: 2026-03-29 02:00 -> 03:00, 2026-10-25 03:00 -> 02:00)', () => {
  const berlin = (text: string) => schedule(text, 'Europe/Berlin');

  it('a time the spring-forward skips fires once, at the same minute of the hour the clock jumps to', () => {
    // 02:30 does not exist on 29 March: it fires at 03:30 CEST (01:30 UTC), once; the days around are normal.
    expect(fires(berlin('30 2 * * *'), '2026-03-28T00:00:00Z', 3)).toEqual(['2026-03-28T01:30:00.000Z', '2026-03-29T01:30:00.000Z', '2026-03-30T00:30:00.000Z']);
  });

  it('a time the fall-back repeats fires once, the first time', () => {
    // 02:30 happens twice on 25 October (CEST, then CET): one fire, at 02:30 CEST (00:30 UTC).
    expect(fires(berlin('30 2 * * *'), '2026-10-24T12:00:00Z', 2)).toEqual(['2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']);
  });

  it('schedules more frequent than hourly keep their pace in real time through both changes', () => {
    expect(fires(berlin('*/30 * * * *'), '2026-10-24T23:50:00Z', 5)).toEqual([
      '2026-10-25T00:00:00.000Z', // 02:00 CEST
      '2026-10-25T00:30:00.000Z', // 02:30 CEST
      '2026-10-25T01:00:00.000Z', // 02:00 CET, the repeated hour
      '2026-10-25T01:30:00.000Z', // 02:30 CET
      '2026-10-25T02:00:00.000Z', // 03:00 CET
    ]);
    expect(fires(berlin('*/30 * * * *'), '2026-03-29T00:20:00Z', 3)).toEqual(['2026-03-29T00:30:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-29T01:30:00.000Z']); // 01:30 CET, 03:00 CEST, 03:30 CEST
  });
});

describe('PingSource schedules in words', () => {
  it('describes the schedule with its time zone', () => {
    expect(schedule('*/2 * * * *', 'Europe/Berlin').description).toBe('Every 2 minutes, Europe/Berlin');
    expect(schedule('0 */2 * * *', 'UTC').description).toBe('On the hour, every 2 hours, UTC');
    expect(schedule('0 9 ? * MON-FRI', 'UTC').description).toBe('At 09:00, Monday through Friday, UTC');
    expect(schedule('*/10 * * * * *', 'UTC').description).toBe('Every 10 seconds, UTC');
  });

  it('lists the fire times in a window (for catching up after a stop)', () => {
    expect(schedule('*/15 * * * *', 'UTC').between(new Date('2026-11-24T10:00:00Z'), new Date('2026-11-24T11:00:00Z'), 10).map((d) => d.toISOString())).toEqual([
      '2026-11-24T10:15:00.000Z',
      '2026-11-24T10:30:00.000Z',
      '2026-11-24T10:45:00.000Z',
      '2026-11-24T11:00:00.000Z',
    ]);
    expect(schedule('* * * * * *', 'UTC').between(new Date('2026-11-24T10:00:00Z'), new Date('2026-11-24T11:00:00Z'), 3)).toHaveLength(3);
  });
});
