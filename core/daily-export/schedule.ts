import { isUtcDate, previousUtcDate } from './utc-date.ts';

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
