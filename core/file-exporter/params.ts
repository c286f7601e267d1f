import { z } from 'zod';
import { ApiError } from '../api/errors.ts';
import { parseJsonObject, type JsonObject } from '../api/request-body.ts';
import { isUtcDate } from '../daily-export/utc-date.ts';

/**
 * File Exporter request fields (docs/api-contract.md §5.1–5.2). Each value is accepted bare (`1`, `jsonl`,
 * `2026-11-24`, `13`) or in its Hive form (`version=1`, `format=jsonl`, `dt=2026-11-24`, `hr=13`); the
 * value as received is kept for the echo, the bare value for the lookup. A missing field or a value of
 * the wrong shape is 400-01; whether a well-formed value exists is decided later (404-01).
 */
export type FeedField = 'feed' | 'version' | 'format' | 'date' | 'interval' | 'fileName';

interface FeedParameter {
  /** Exactly as the request sent it: responses echo this. */
  raw: string;
  /** Bare, normalised value. */
  value: string;
}

export interface FeedRequest {
  feed?: FeedParameter;
  version?: FeedParameter;
  format?: FeedParameter;
  date?: FeedParameter;
  /** `value` is the two-digit hour. */
  interval?: FeedParameter & { hour: number };
  fileName?: FeedParameter;
}

const MAX_LENGTH = 255;
const MAX_FILE_NAME_LENGTH = 1024;

/** Key of each field's `key=value` form (docs/api-contract.md §5.2); file names have none. */
const HIVE_KEYS: Partial<Record<FeedField, string>> = { feed: 'feed', version: 'version', format: 'format', date: 'dt', interval: 'hr' };

/** A value bare or in its Hive form; `bare` is the bare value's pattern. */
function hiveField(field: FeedField, bare: string, description: string, valid: (bare: string) => boolean = () => true) {
  return z
    .string()
    .max(MAX_LENGTH)
    .regex(new RegExp(`^(?:${HIVE_KEYS[field]}=)?(?:${bare})$`))
    .refine((v) => valid(bareOf(field, v)))
    .meta({ description: `${description}, bare or as \`${HIVE_KEYS[field]}=…\`.` });
}

/** What makes each field well-formed; the parser and the published request schema both use these. */
const FEED_FIELD_SCHEMAS = {
  feed: hiveField('feed', '[A-Za-z0-9_-]+', 'Feed name (`utterances`)'),
  version: hiveField('version', '\\d+', 'Feed version (`1`)'),
  format: hiveField('format', '[A-Za-z0-9]+', 'File format (`jsonl`, `csv`)'),
  // A real calendar date: 2026-02-30 has the right shape and is still malformed.
  date: hiveField('date', '\\d{4}-\\d{2}-\\d{2}', 'UTC date YYYY-MM-DD', isUtcDate),
  interval: hiveField('interval', '[01]?\\d|2[0-3]', 'UTC hour, 0 to 23'),
  // File names are matched against the listing, not parsed: any other name is simply not found.
  fileName: z
    .string()
    .min(1)
    .max(MAX_FILE_NAME_LENGTH)
    .meta({ description: 'A name listfeedfiles returned (`file` is accepted as its alias).' }),
} satisfies Record<FeedField, z.ZodType<string>>;

/** The request body with these fields: the published shape of a File Exporter request. */
export function feedRequestSchema(required: readonly FeedField[], optional: readonly FeedField[] = []) {
  const shape: Partial<Record<FeedField, z.ZodType<string | undefined>>> = {};
  for (const field of required) shape[field] = FEED_FIELD_SCHEMAS[field];
  for (const field of optional) shape[field] = FEED_FIELD_SCHEMAS[field].optional();
  return z.object(shape);
}

/** The body as a JSON object; an empty body counts as `{}` (listfeeds takes no fields). */
export function parseFeedBody(rawBody: string | undefined): JsonObject {
  if (rawBody === undefined || rawBody.trim() === '') return {};
  return parseJsonObject(rawBody, '400-01');
}

export function parseFeedRequest(body: JsonObject, required: readonly FeedField[], optional: readonly FeedField[] = []): FeedRequest {
  const request: FeedRequest = {};
  for (const field of [...required, ...optional]) {
    const value = fieldValue(body, field);
    if (value === undefined) {
      if (required.includes(field)) throw new ApiError('400-01', `${field} is required`);
      continue;
    }
    const parameter = normalise(field, value);
    if (field === 'interval') request.interval = { ...parameter, hour: Number(parameter.value) };
    else request[field] = parameter;
  }
  return request;
}

/** `fileName` is canonical; ASAPP's guide calls it `file` (docs/api-contract.md §8 #8). Null counts as absent. */
function fieldValue(body: JsonObject, field: FeedField): unknown {
  const value = body[field];
  if (field === 'fileName' && (value === undefined || value === null)) return body.file ?? undefined;
  return value ?? undefined;
}

function normalise(field: FeedField, value: unknown): FeedParameter {
  if (typeof value !== 'string') throw new ApiError('400-01', `${field} must be a string`);
  if (!FEED_FIELD_SCHEMAS[field].safeParse(value).success) throw new ApiError('400-01', `${field} is malformed`);
  const bare = bareOf(field, value);
  return { raw: value, value: field === 'interval' ? bare.padStart(2, '0') : bare };
}

function bareOf(field: FeedField, value: string): string {
  const key = HIVE_KEYS[field];
  return key !== undefined && value.startsWith(`${key}=`) ? value.slice(key.length + 1) : value;
}
