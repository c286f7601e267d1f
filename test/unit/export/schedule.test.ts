import { afterEach, describe, expect, it, vi } from 'vitest';
import { exportDateFor, InvalidExportDateError } from '#core/daily-export/schedule.ts';
import { nextDailyRun, startDailySchedule } from '#local/feed-schedule.ts';
import { isListedDate, oldestListedDate, purgeExpiredFeedFiles } from '#core/daily-export/retention.ts';
import { memoryBucket } from './support/memory-bucket.ts';

const at = (iso: string) => Date.parse(iso);

describe('which day the export runs for', () => {
  it('defaults to the previous UTC day of the scheduled time', () => {
    expect(exportDateFor({ time: '2026-11-25T02:00:00Z' }, at('2026-12-31T00:00:00Z'))).toBe('2026-11-24');
    expect(exportDateFor({ time: '2026-03-01T02:00:00Z' }, 0)).toBe('2026-02-28');
    expect(exportDateFor({ time: '2028-03-01T02:00:00Z' }, 0)).toBe('2028-02-29');
    expect(exportDateFor({ time: '2027-01-01T00:00:00.000Z' }, 0)).toBe('2026-12-31');
  });

  it('falls back to the invocation time without a scheduled time', () => {
    expect(exportDateFor(undefined, at('2026-11-25T02:00:00Z'))).toBe('2026-11-24');
    expect(exportDateFor({}, at('2026-11-25T00:00:00.000Z'))).toBe('2026-11-24');
    expect(exportDateFor({ time: 'garbage' }, at('2026-11-24T23:59:59.999Z'))).toBe('2026-11-23');
  });

  it('takes an explicit date over everything', () => {
    expect(exportDateFor({ date: '2026-01-02', time: '2026-11-25T02:00:00Z' }, 0)).toBe('2026-01-02');
  });

  it.each(['2026-13-01', '2026-02-29', 'yesterday', 20261124, ''])('refuses date %j', (date) => {
    expect(() => exportDateFor({ date }, 0)).toThrow(InvalidExportDateError);
  });
});

describe('daily schedule', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('computes the next 02:00 UTC strictly after now', () => {
    expect(nextDailyRun(at('2026-11-24T01:59:59.999Z'))).toBe(at('2026-11-24T02:00:00Z'));
    expect(nextDailyRun(at('2026-11-24T02:00:00.000Z'))).toBe(at('2026-11-25T02:00:00Z'));
    expect(nextDailyRun(at('2026-12-31T23:00:00Z'))).toBe(at('2027-01-01T02:00:00Z'));
  });

  it('fires once a day at 02:00 UTC with the scheduled time, and keeps going after a failure', async () => {
    vi.useFakeTimers();
    vi.setSystemTime(at('2026-11-24T01:00:00Z'));
    const runs: string[] = [];
    const schedule = startDailySchedule(async (scheduledAt) => {
      runs.push(new Date(scheduledAt).toISOString());
      if (runs.length === 1) throw new Error('first run fails');
    });
    expect(new Date(schedule.nextRunAt()).toISOString()).toBe('2026-11-24T02:00:00.000Z');
    await vi.advanceTimersByTimeAsync(60 * 60 * 1000 - 1);
    expect(runs).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(runs).toEqual(['2026-11-24T02:00:00.000Z']);
    await vi.advanceTimersByTimeAsync(24 * 60 * 60 * 1000);
    expect(runs).toEqual(['2026-11-24T02:00:00.000Z', '2026-11-25T02:00:00.000Z']);
    schedule.stop();
    await vi.advanceTimersByTimeAsync(48 * 60 * 60 * 1000);
    expect(runs).toHaveLength(2);
  });
});

describe('retention', () => {
  it('lists the last 32 days and hides older dates', () => {
    const now = at('2026-12-26T10:00:00Z');
    expect(oldestListedDate(now, 32)).toBe('2026-11-24');
    expect(isListedDate('2026-11-24', now, 32)).toBe(true);
    expect(isListedDate('2026-11-23', now, 32)).toBe(false);
    expect(isListedDate('2026-12-25', now, 32)).toBe(true);
  });

  it('purges objects last modified more than retentionDays ago, like the lifecycle rule', async () => {
    const bucket = memoryBucket();
    const now = at('2026-12-26T10:00:00Z');
    bucket.objects.set('old', { body: '', contentType: '', lastModified: new Date(now - 32 * 86_400_000 - 1) });
    bucket.objects.set('edge', { body: '', contentType: '', lastModified: new Date(now - 32 * 86_400_000) });
    bucket.objects.set('new', { body: '', contentType: '', lastModified: new Date(now - 1000) });
    expect(await purgeExpiredFeedFiles(bucket, { retentionDays: 32, now })).toEqual(['old']);
    expect([...bucket.objects.keys()].sort()).toEqual(['edge', 'new']);
  });
});
