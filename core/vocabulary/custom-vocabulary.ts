import { z } from 'zod';

/**
 * A tenant's custom vocabulary (ASAPP's Configuration API, api-contract: custom vocabularies): `phrase`
 * is what must appear in transcripts, `soundsLike` are the ways it is spoken. Limits keep one tenant's
 * list small enough to load at the start of every call and to fit an Amazon Transcribe vocabulary.
 */

export const customVocabularyItemSchema = z
  .object({
    id: z.string().meta({ description: 'System id (ULID: sorts by creation).' }),
    phrase: z.string(),
    soundsLike: z.array(z.string()),
    createdAt: z.string().meta({ description: 'RFC 3339 with milliseconds.' }),
  })
  .meta({ id: 'CustomVocabulary' });
export type CustomVocabularyItem = z.infer<typeof customVocabularyItemSchema>;

/** What recognition uses of an entry. */
export type VocabularyPhrase = Pick<CustomVocabularyItem, 'phrase' | 'soundsLike'>;

export const VOCABULARY_LIMITS = {
  phraseChars: 100,
  soundsLikeCount: 10,
  soundsLikeChars: 100,
  /** Entries per tenant. */
  entries: 1_000,
  defaultPageSize: 20,
  maxPageSize: 100,
} as const;

/** Letters of any script, digits, spaces and the marks product names use. */
const PHRASE = /^[\p{L}\p{N}][\p{L}\p{N} .&'+-]*$/u;
/** A spoken form is words: letters, apostrophes, hyphens and single spaces. */
const SPOKEN = /^\p{L}[\p{L}'-]*( \p{L}[\p{L}'-]*)*$/u;

export const newVocabularyItemSchema = z
  .object({
    phrase: z
      .string()
      .transform((s) => s.trim())
      .pipe(
        z
          .string()
          .min(1, 'phrase must not be empty')
          .max(VOCABULARY_LIMITS.phraseChars, `phrase must be at most ${VOCABULARY_LIMITS.phraseChars} characters`)
          .regex(PHRASE, "phrase may hold letters, digits, spaces and . & ' + - only, starting with a letter or digit"),
      ),
    soundsLike: z
      .array(
        z
          .string()
          .transform((s) => s.trim().replace(/\s+/g, ' '))
          .pipe(
            z
              .string()
              .min(1, 'a soundsLike entry must not be empty')
              .max(VOCABULARY_LIMITS.soundsLikeChars, `a soundsLike entry must be at most ${VOCABULARY_LIMITS.soundsLikeChars} characters`)
              .regex(SPOKEN, 'a soundsLike entry is spoken words: letters, apostrophes and hyphens separated by single spaces'),
          ),
      )
      .max(VOCABULARY_LIMITS.soundsLikeCount, `at most ${VOCABULARY_LIMITS.soundsLikeCount} soundsLike entries`)
      .default([]),
  })
  .meta({ id: 'NewCustomVocabulary' });

export type NewVocabularyItem = z.infer<typeof newVocabularyItemSchema>;
