import { exportDateFor, type DailyExportEvent } from '#core/daily-export/schedule.ts';
import { defaultExportRuntime, type ExportRuntime } from '#core/daily-export/runtime.ts';

/**
 * Invoked by the EventBridge rule `cron(0 2 * * ? *)` with its scheduled event: exports the previous
 * UTC day. `{ "date": "YYYY-MM-DD" }` exports that day instead. A failure throws, so the asynchronous
 * invocation is retried; the run is idempotent.
 */
export interface DailyExportResult {
  date: string;
  rows: number;
  files: number;
  deleted: number;
}

export function createDailyExportHandler(runtime: () => ExportRuntime = defaultExportRuntime, now: () => number = Date.now) {
  return async (event: DailyExportEvent | null | undefined): Promise<DailyExportResult> => {
    const summary = await runtime().exportDay(exportDateFor(event, now()));
    return { date: summary.date, rows: summary.rows, files: summary.files.length, deleted: summary.deleted.length };
  };
}

export const handler = createDailyExportHandler();
