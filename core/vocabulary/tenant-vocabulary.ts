import type { VocabularyPhrase } from './custom-vocabulary.ts';
import { vocabularyRewrite, type VocabularyRewrite } from './rewrite.ts';

/**
 * A tenant's custom vocabulary as a span applies it: the entries, which the embedded engine adds to its
 * decoder, and the rewrite pass over every engine's results.
 */
export interface TenantVocabulary {
  phrases: readonly VocabularyPhrase[];
  rewrite: VocabularyRewrite;
}

export function tenantVocabulary(items: readonly VocabularyPhrase[]): TenantVocabulary {
  return { phrases: items.map(({ phrase, soundsLike }) => ({ phrase, soundsLike })), rewrite: vocabularyRewrite(items) };
}
