import { z } from 'zod';
import { issuePaths } from '../config/stores.ts';
import { InvalidCursorError, type VocabularyPage } from '../stores/vocabulary.ts';
import { newVocabularyItemSchema, VOCABULARY_LIMITS, type CustomVocabularyItem } from '../vocabulary/custom-vocabulary.ts';
import type { VocabularyDeps } from './deps.ts';
import { ApiError } from './errors.ts';
import { parseJsonObject } from './request-body.ts';

/**
 * Custom vocabularies of ASAPP's Configuration API (/configuration/v1/auto-transcribe/custom-vocabularies):
 * list, get, create and delete, per tenant. A change applies to calls whose transcription starts after it.
 */

export interface CustomVocabulariesList {
  customVocabularies: CustomVocabularyItem[];
  nextCursor: string | null;
  prevCursor: string | null;
}

const pageSizeSchema = z.coerce.number().int().min(1).max(VOCABULARY_LIMITS.maxPageSize);

function store(deps: VocabularyDeps) {
  if (!deps.vocabulary) throw new ApiError('503-01', 'custom vocabularies are not configured');
  return deps.vocabulary;
}

export async function listCustomVocabularies(
  query: { pageSize?: string; cursor?: string },
  principal: { tenant: string },
  deps: VocabularyDeps,
): Promise<CustomVocabulariesList> {
  let pageSize: number = VOCABULARY_LIMITS.defaultPageSize;
  if (query.pageSize !== undefined) {
    const parsed = pageSizeSchema.safeParse(query.pageSize);
    if (!parsed.success) throw new ApiError('400-01', `pageSize must be an integer from 1 to ${VOCABULARY_LIMITS.maxPageSize}`);
    pageSize = parsed.data;
  }
  if (query.cursor !== undefined && (query.cursor.length === 0 || query.cursor.length > 200))
    throw new ApiError('400-01', 'invalid cursor');
  let page: VocabularyPage;
  try {
    page = await store(deps).list(principal.tenant, { pageSize, cursor: query.cursor });
  } catch (error) {
    if (error instanceof InvalidCursorError) throw new ApiError('400-01', 'invalid cursor');
    throw error;
  }
  return { customVocabularies: page.items, nextCursor: page.nextCursor, prevCursor: page.prevCursor };
}

export async function getCustomVocabulary(id: string, principal: { tenant: string }, deps: VocabularyDeps): Promise<CustomVocabularyItem> {
  const item = await store(deps).get(principal.tenant, id);
  if (!item) throw new ApiError('404-01', 'no custom vocabulary with this id');
  return item;
}

export async function createCustomVocabulary(
  rawBody: string | undefined,
  principal: { tenant: string },
  deps: VocabularyDeps,
): Promise<CustomVocabularyItem> {
  const parsed = newVocabularyItemSchema.safeParse(parseJsonObject(rawBody, '400-01'));
  if (!parsed.success) throw new ApiError('400-01', issuePaths(parsed.error));
  const created = await store(deps).create(principal.tenant, parsed.data, VOCABULARY_LIMITS.entries);
  if (!created) throw new ApiError('400-01', `at most ${VOCABULARY_LIMITS.entries} custom vocabulary entries per tenant`);
  return created;
}

export async function deleteCustomVocabulary(id: string, principal: { tenant: string }, deps: VocabularyDeps): Promise<void> {
  if (!(await store(deps).delete(principal.tenant, id))) throw new ApiError('404-01', 'no custom vocabulary with this id');
}
