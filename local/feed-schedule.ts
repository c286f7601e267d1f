import { logger } from '#core/logger.ts';
import { defaultExportRuntime, type ExportRuntime } from '#core/daily-export/runtime.ts';
import { DAILY_EXPORT_HOUR_UTC } from '#core/contract/export-schedule.ts';
import { previousUtcDate } from '#core/daily-export/utc-date.ts';

/**
 * The local runtime's stand-in for the stack's EventBridge rule and the export bucket's lifecycle rule.
 * In AWS, EventBridge invokes the daily-export Lambda and S3 expires old feed files.
 */

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
    timer = setTimeout(() => void fire(), Math.max(0, target - now()));
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

/**
 * For the local runtime (`npm start`): the 02:00 UTC export of the previous day, followed by the
 * retention sweep that S3's lifecycle rule performs in AWS.
 */
export function startLocalFeedSchedule(rt: ExportRuntime = defaultExportRuntime(), options: { now?: () => number } = {}): DailySchedule {
  return startDailySchedule(async (scheduledAt) => {
    // The sweep does not depend on the export, so a failed export does not keep old files around.
    const [exported, purged] = await Promise.allSettled([rt.exportDay(previousUtcDate(scheduledAt)), rt.purgeExpired(options.now?.())]);
    if (exported.status === 'fulfilled') {
      logger.info('scheduled feed export done', {
        date: exported.value.date,
        rows: exported.value.rows,
        files: exported.value.files.length,
      });
    }
    if (exported.status === 'rejected') throw exported.reason;
    if (purged.status === 'rejected') throw purged.reason;
  }, options);
}
