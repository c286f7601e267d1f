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

interface FieldRule {
  /** Key of the `key=value` form. */
  key?: string;
  /** The bare value when well-formed, otherwise undefined. */
  bare(value: string): string | undefined;
}

const RULES: Record<FeedField, FieldRule> = {
  feed: { key: 'feed', bare: (v) => (/^[A-Za-z0-9_-]+$/.test(v) ? v : undefined) },
  version: { key: 'version', bare: (v) => (/^\d+$/.test(v) ? v : undefined) },
  format: { key: 'format', bare: (v) => (/^[A-Za-z0-9]+$/.test(v) ? v : undefined) },
  date: { key: 'dt', bare: (v) => (isUtcDate(v) ? v : undefined) },
  interval: {
    key: 'hr',
    bare: (v) => (/^\d{1,2}$/.test(v) && Number(v) < 24 ? v.padStart(2, '0') : undefined),
  },
  // File names are matched against the listing, not parsed: any other name is simply not found.
  fileName: { bare: (v) => (v.length <= MAX_FILE_NAME_LENGTH ? v : undefined) },
};

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
  const rule = RULES[field];
  const limit = field === 'fileName' ? MAX_FILE_NAME_LENGTH : MAX_LENGTH;
  const stripped = rule.key !== undefined && value.startsWith(`${rule.key}=`) ? value.slice(rule.key.length + 1) : value;
  const bare = stripped === '' || value.length > limit ? undefined : rule.bare(stripped);
  if (bare === undefined) throw new ApiError('400-01', `${field} is malformed`);
  return { raw: value, value: bare };
}
