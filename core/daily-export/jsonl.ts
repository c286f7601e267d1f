/** One JSON Lines record. */
const LINE_SEPARATORS = /[\u2028\u2029]/g;

/**
 * JSON.stringify leaves U+2028 / U+2029 raw (valid JSON), but readers that split on Unicode line
 * boundaries (Python's `splitlines`, some editors) would cut the record there; escaping keeps one record
 * per line for every reader and parses back to the same string.
 */
export function jsonlRecord(value: unknown): string {
  const json = JSON.stringify(value);
  return `${json.includes('\u2028') || json.includes('\u2029') ? json.replace(LINE_SEPARATORS, (c) => `\\u${c.charCodeAt(0).toString(16)}`) : json}\n`;
}
