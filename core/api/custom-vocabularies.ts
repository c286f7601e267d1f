import { z } from 'zod';
import { issuePaths } from '../config/stores.ts';
import { InvalidCursorError, type VocabularyPage } from '../stores/vocabulary.ts';
import {
  customVocabularyItemSchema,
  newVocabularyItemSchema,
  VOCABULARY_LIMITS,
  type CustomVocabularyItem,
} from '../vocabulary/custom-vocabulary.ts';
import type { VocabularyDeps } from './deps.ts';
import { logger } from '../logger.ts';
import { engineVocabularyStatusSchema } from '../vocabulary/transcribe-sync.ts';
import { ApiError } from './errors.ts';
import { parseJsonObject } from './request-body.ts';

/**
 * Custom vocabularies of ASAPP's Configuration API (/configuration/v1/auto-transcribe/custom-vocabularies):
 * list, get, create and delete, per tenant. A change applies to calls whose transcription starts after it.
 */

export const customVocabulariesListSchema = z
  .object({
    customVocabularies: z.array(customVocabularyItemSchema),
    nextCursor: z.string().nullable(),
    prevCursor: z.string().nullable(),
  })
  .meta({ id: 'CustomVocabulariesList' });
export type CustomVocabulariesList = z.infer<typeof customVocabulariesListSchema>;

/** The list's query; each field is refused alone with its own 400-01 message. */
export const customVocabulariesQuerySchema = z.object({
  pageSize: z.coerce
    .number()
    .int()
    .min(1)
    .max(VOCABULARY_LIMITS.maxPageSize)
    .optional()
    .meta({ description: `Items per page, default ${VOCABULARY_LIMITS.defaultPageSize}.` }),
  cursor: z.string().min(1).max(200).optional().meta({ description: 'A nextCursor or prevCursor of an earlier page.' }),
});
const { pageSize: pageSizeSchema, cursor: cursorSchema } = customVocabulariesQuerySchema.shape;

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
    pageSize = parsed.data ?? pageSize;
  }
  if (query.cursor !== undefined && !cursorSchema.safeParse(query.cursor).success) throw new ApiError('400-01', 'invalid cursor');
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
  await syncEngine(principal.tenant, deps);
  return created;
}

export async function deleteCustomVocabulary(id: string, principal: { tenant: string }, deps: VocabularyDeps): Promise<void> {
  if (!(await store(deps).delete(principal.tenant, id))) throw new ApiError('404-01', 'no custom vocabulary with this id');
  await syncEngine(principal.tenant, deps);
}

/** `GET /configuration/v1/auto-transcribe/custom-vocabulary-status`: the engine's copy of the list, per language. */
export const customVocabularyStatusSchema = z
  .object({
    engine: z
      .enum(['amazon-transcribe', 'none'])
      .meta({ description: '`amazon-transcribe` when the deployment builds Transcribe custom vocabularies, else `none`.' }),
    vocabularies: z.array(engineVocabularyStatusSchema),
  })
  .meta({ id: 'CustomVocabularyStatus' });
export type CustomVocabularyStatus = z.infer<typeof customVocabularyStatusSchema>;

/** Also converges: a version a failed sync did not create is created now. */
export async function getCustomVocabularyStatus(principal: { tenant: string }, deps: VocabularyDeps): Promise<CustomVocabularyStatus> {
  const entries = await store(deps).all(principal.tenant, VOCABULARY_LIMITS.entries);
  if (!deps.engineSync) return { engine: 'none', vocabularies: [] };
  return { engine: 'amazon-transcribe', vocabularies: await deps.engineSync(principal.tenant, entries) };
}

/**
 * After a change, the engine's vocabularies are brought in line. The entry is stored whatever happens
 * here: a failure is logged and shows in the status route, which tries again.
 */
async function syncEngine(tenant: string, deps: VocabularyDeps): Promise<void> {
  if (!deps.engineSync) return;
  try {
    const statuses = await deps.engineSync(tenant, await store(deps).all(tenant, VOCABULARY_LIMITS.entries));
    for (const s of statuses) if (s.state === 'ERROR') logger.warn('custom vocabulary not synced to Amazon Transcribe', { ...s });
  } catch (error) {
    logger.warn('custom vocabulary not synced to Amazon Transcribe', { error });
  }
}
