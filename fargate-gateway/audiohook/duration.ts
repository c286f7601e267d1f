/**
 * AudioHook durations (`position`, `discarded`, `start`, `rtt`, `discardTo`, `retryAfter`).
 *
 * Genesys sends `PT<seconds>S`; the parser also takes other valid ISO-8601 forms (AudioHook §16:
 * parse them rather than reject) so that a change on their side does not break sessions.
 */

const NUMBER = String.raw`(\d+(?:[.,]\d*)?|[.,]\d+)`;
const DATE_PART = `(?:${NUMBER}Y)?(?:${NUMBER}M)?(?:${NUMBER}W)?(?:${NUMBER}D)?`;
const TIME_PART = `(?:T(?:${NUMBER}H)?(?:${NUMBER}M)?(?:${NUMBER}S)?)?`;
const DURATION = new RegExp(`^P${DATE_PART}${TIME_PART}$`, 'i');

/**
 * The longest span a duration from the wire may describe. No call lasts a week (Genesys ends
 * conversations long before), and positions derived from durations stay exact integers of samples far
 * below 2^53, so every loop over positions advances. Anything longer is not a duration a client can mean.
 */
export const MAX_CALL_SECONDS = 7 * 86_400;

/** Seconds per unit, in the order of the pattern's groups; years and months have no fixed length. */
const UNIT_SECONDS = [Number.NaN, Number.NaN, 604_800, 86_400, 3_600, 60, 1] as const;

/** Seconds, or null for anything that is not a non-negative ISO-8601 duration of at most MAX_CALL_SECONDS. */
export function parseDuration(text: string): number | null {
  const match = DURATION.exec(text);
  if (match === null) return null;
  // Every group is optional, yet "P", "PT" and "P1DT" are not durations.
  if (match.slice(1).every((group) => group === undefined)) return null;
  if (/T/i.test(text) && match.slice(5).every((group) => group === undefined)) return null;
  let seconds = 0;
  for (let unit = 0; unit < UNIT_SECONDS.length; unit++) {
    const group = match[unit + 1];
    if (group === undefined) continue;
    const value = Number(group.replace(',', '.'));
    if (value === 0) continue;
    // A calendar year or month is only meaningful as zero (`P0Y0M0DT1S`).
    if (Number.isNaN(UNIT_SECONDS[unit])) return null;
    seconds += value * UNIT_SECONDS[unit];
  }
  return Number.isFinite(seconds) && seconds <= MAX_CALL_SECONDS ? seconds : null;
}

/** `PT12.34S`: plain decimal seconds, at most nine decimals, trailing zeros trimmed. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0 || seconds >= 1e21) {
    throw new RangeError(`formatDuration: expected a finite non-negative number, got ${seconds}`);
  }
  // toFixed never uses exponent notation below 1e21, unlike String(1e-7).
  const fixed = seconds.toFixed(9).replace(/\.?0+$/, '');
  return `PT${fixed}S`;
}
