import { createHash } from 'node:crypto';
import type { CustomVocabularyItem } from './custom-vocabulary.ts';

/**
 * A tenant's custom vocabulary as an Amazon Transcribe custom vocabulary, one per language. Transcribe
 * takes phrases as words joined by hyphens, in the language's alphabet; the spoken forms (`soundsLike`)
 * are what helps recognition, and the phrase itself when it is spoken as written ("Zendesk"). What
 * Transcribe then writes is turned into the `phrase` by the same rewrite pass as for every engine.
 *
 * Each version of a list has its own name: `ahv-<tenant>-<language>-<content hash>`. A changed list is a
 * new vocabulary (CreateVocabulary), never an UpdateVocabulary of the one calls use: an updated vocabulary
 * goes back to PENDING while Transcribe rebuilds it, and a stream that names a vocabulary that is not
 * READY is refused — a change would fail the calls starting at that moment. Old versions are deleted
 * (DeleteVocabulary) once the current one is an hour old: a gateway uses a name only within 10 minutes
 * of seeing it READY as its tenant's current version (fargate-gateway/recognition/transcribe/vocabulary-directory.ts).
 */

export const TRANSCRIBE_VOCABULARY_LANGUAGES = ['en-US', 'es-US'] as const;
/** Every vocabulary this service creates starts so (the stack scopes IAM to it). */
export const TRANSCRIBE_VOCABULARY_PREFIX = 'ahv-';

/** Letters Transcribe accepts in a phrase, per language (besides `'`, `-` and `.`). */
const ALPHABET: Record<string, RegExp> = {
  'en-US': /^[A-Za-z'.-]+$/,
  'es-US': /^[A-Za-zÁÉÍÓÚÜÑáéíóúüñ'.-]+$/,
};
/** Transcribe's limit per phrase. */
const MAX_PHRASE_CHARS = 256;

/** The Transcribe phrases of a tenant's entries in `language`, sorted and without duplicates. */
export function transcribePhrases(entries: readonly Pick<CustomVocabularyItem, 'phrase' | 'soundsLike'>[], language: string): string[] {
  const alphabet = ALPHABET[language];
  if (!alphabet) return [];
  const phrases = new Set<string>();
  for (const entry of entries) {
    for (const form of [entry.phrase, ...entry.soundsLike]) {
      const hyphenated = form.trim().split(/\s+/).join('-');
      if (hyphenated.length > 0 && hyphenated.length <= MAX_PHRASE_CHARS && alphabet.test(hyphenated)) phrases.add(hyphenated);
    }
  }
  return [...phrases].sort();
}

/** The prefix every version of a tenant's vocabulary in `language` shares (Transcribe names: [0-9a-zA-Z._-], ≤ 200). */
export function vocabularyBaseName(tenant: string, language: string): string {
  const slug = tenant.replace(/[^0-9a-zA-Z]/g, '').slice(0, 40) || 't';
  const tenantHash = createHash('sha256').update(tenant).digest('hex').slice(0, 8);
  return `${TRANSCRIBE_VOCABULARY_PREFIX}${slug}-${tenantHash}-${language}-`;
}

/** The name of the version holding exactly `phrases` (undefined when there are none: no vocabulary). */
export function vocabularyVersionName(tenant: string, language: string, phrases: readonly string[]): string | undefined {
  if (phrases.length === 0) return undefined;
  const contentHash = createHash('sha256')
    .update(`${language}\n${phrases.join('\n')}`)
    .digest('hex')
    .slice(0, 16);
  return `${vocabularyBaseName(tenant, language)}${contentHash}`;
}
