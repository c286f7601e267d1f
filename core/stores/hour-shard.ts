/**
 * Partition key of the `messages` table's `byHour` index (docs/data-model.md): the UTC hour of
 * `createdTimestamp` and a shard derived from `messageId`, so one busy hour spreads over 16 partitions.
 * The export reads an hour by querying every shard.
 */
export const HOUR_SHARD_COUNT = 16;

/** `YYYY-MM-DDTHH` (UTC) of an RFC 3339 timestamp. */
export function hourOf(timestamp: string): string {
  const ms = Date.parse(timestamp);
  if (Number.isNaN(ms)) throw new RangeError('not an RFC 3339 timestamp');
  return new Date(ms).toISOString().slice(0, 13);
}

/** 0–15: FNV-1a of the id, so the shard does not depend on the ULID's time prefix. */
export function shardOf(messageId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < messageId.length; i++) {
    hash ^= messageId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % HOUR_SHARD_COUNT;
}

export function hourShardKey(hour: string, shard: number): string {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}$/.test(hour)) throw new RangeError('hour must be YYYY-MM-DDTHH');
  if (!Number.isInteger(shard) || shard < 0 || shard >= HOUR_SHARD_COUNT) throw new RangeError('shard out of range');
  return `${hour}#${String(shard).padStart(2, '0')}`;
}

export function hourShardOf(createdTimestamp: string, messageId: string): string {
  return hourShardKey(hourOf(createdTimestamp), shardOf(messageId));
}
