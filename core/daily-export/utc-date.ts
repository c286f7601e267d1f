/** Calendar days in UTC as the feed names them (`YYYY-MM-DD`). */
const DAY_MS = 86_400_000;
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date in `YYYY-MM-DD` form (rejects 2026-02-30, which `Date.parse` would roll over). */
export function isUtcDate(value: string): boolean {
  const match = DATE_PATTERN.exec(value);
  if (!match) return false;
  const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return new Date(ms).toISOString().slice(0, 10) === value;
}

export function utcDateOf(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

/** Epoch ms of the date's midnight UTC. */
function startOfUtcDate(date: string): number {
  if (!isUtcDate(date)) throw new RangeError('date must be YYYY-MM-DD');
  return Date.parse(`${date}T00:00:00.000Z`);
}

export function addDays(date: string, days: number): string {
  return utcDateOf(startOfUtcDate(date) + days * DAY_MS);
}

/** The UTC day before the one containing `epochMs`: what the 02:00 run exports. */
export function previousUtcDate(epochMs: number): string {
  return addDays(utcDateOf(epochMs), -1);
}
