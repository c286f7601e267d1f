import { logger } from '../logger.ts';
import { isUtcDate, previousUtcDate } from './utc-date.ts';

/** When the daily export runs and which day it exports (api-contract.md §5.4: 02:00 UTC, the previous UTC day). */
export const DAILY_EXPORT_HOUR_UTC = 2;
/** The EventBridge rule of the stack, for reference next to its local equivalent. */
export const DAILY_EXPORT_CRON = 'cron(0 2 * * ? *)';

/** What the daily-export Lambda is invoked with: EventBridge's scheduled event, or `{ "date": "YYYY-MM-DD" }`. */
export interface DailyExportEvent {
  date?: unknown;
  /** EventBridge: the scheduled time (RFC 3339). */
  time?: unknown;
}

export class InvalidExportDateError extends Error {
  constructor() {
    super('date must be a calendar date in the form YYYY-MM-DD');
    this.name = 'InvalidExportDateError';
  }
}

/**
 * The day to export: an explicit `date`, otherwise the day before the scheduled time (a delayed or
 * retried invocation still exports the day it was scheduled for), otherwise the day before `nowMs`.
 */
export function exportDateFor(event: DailyExportEvent | null | undefined, nowMs: number): string {
  if (event?.date !== undefined && event.date !== null) {
    if (typeof event.date !== 'string' || !isUtcDate(event.date)) throw new InvalidExportDateError();
    return event.date;
  }
  const scheduled = typeof event?.time === 'string' ? Date.parse(event.time) : Number.NaN;
  return previousUtcDate(Number.isNaN(scheduled) ? nowMs : scheduled);
}

/** Epoch ms of the first `hourUtc`:00:00 UTC strictly after `nowMs`. */
export function nextDailyRun(nowMs: number, hourUtc = DAILY_EXPORT_HOUR_UTC): number {
  const today = new Date(nowMs);
  const candidate = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate(), hourUtc);
  return candidate > nowMs ? candidate : candidate + 86_400_000;
}

export interface DailySchedule {
  stop(): void;
  /** Epoch ms of the next run. */
  nextRunAt(): number;
}

/**
 * The local runtime's stand-in for the EventBridge rule: runs `task` every day at `hourUtc`:00 UTC with
 * the scheduled time. The timer is re-armed from the wall clock after every run and never keeps the
 * process alive; a failing run is logged and the next day runs as usual.
 */
export function startDailySchedule(
  task: (scheduledAt: number) => Promise<unknown>,
  options: { hourUtc?: number; now?: () => number } = {},
): DailySchedule {
  const now = options.now ?? Date.now;
  let target = nextDailyRun(now(), options.hourUtc);
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  function arm(): void {
    if (stopped) return;
    timer = setTimeout(fire, Math.max(0, target - now()));
    timer.unref();
  }

  async function fire(): Promise<void> {
    // Timers may fire a little early; wait for the scheduled instant rather than run twice.
    if (now() < target) return arm();
    const scheduledAt = target;
    target = nextDailyRun(Math.max(now(), scheduledAt), options.hourUtc);
    try {
      await task(scheduledAt);
    } catch (error) {
      logger.error('scheduled feed export failed', { scheduledAt: new Date(scheduledAt).toISOString(), error: (error as Error).message });
    }
    arm();
  }

  arm();
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
    nextRunAt: () => target,
  };
}
