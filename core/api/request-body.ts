import type { z } from 'zod';
import { ApiError, type ErrorCode } from './errors.ts';

/** Bodies above this are refused with 413-01 before they are parsed (docs/api-contract.md §1.2). */
export const MAX_BODY_BYTES = 64 * 1024;

export type JsonObject = Record<string, unknown>;

/** The body as a JSON object, whatever the Content-Type (docs/api-contract.md §1.3); `code` on any failure. */
export function parseJsonObject(raw: string | undefined, code: ErrorCode): JsonObject {
  if (raw === undefined || raw.trim() === '') throw new ApiError(code, 'request body is missing');
  let value: unknown;
  try {
    value = JSON.parse(raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw);
  } catch {
    throw new ApiError(code, 'request body is not valid JSON');
  }
  if (!isJsonObject(value)) throw new ApiError(code, 'request body is not a JSON object');
  return value;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates against `schema`; the first problem becomes `code`, naming the field but never its value. */
export function validate<T>(schema: z.ZodType<T>, value: JsonObject, code: ErrorCode): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue.path.map(String).join('.') || 'body';
  throw new ApiError(code, `${path} ${problem(issue, valueAt(value, issue.path))}`);
}

function problem(issue: z.core.$ZodIssue, value: unknown): string {
  if (value === undefined) return 'is required';
  switch (issue.code) {
    case 'invalid_type':
      return 'has the wrong type';
    case 'invalid_value':
      return 'is not an allowed value';
    default:
      return 'must be a non-empty string of at most 255 characters';
  }
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current = root;
  for (const key of path) {
    if (!isJsonObject(current) || !Object.hasOwn(current, key)) return undefined;
    current = current[key as string];
  }
  return current;
}
