import { z } from 'zod';
import {
  ConflictException,
  CreateVocabularyCommand,
  DeleteVocabularyCommand,
  GetVocabularyCommand,
  ListVocabulariesCommand,
  type LanguageCode,
  type TranscribeClient,
} from '@aws-sdk/client-transcribe';
import type { CustomVocabularyItem } from './custom-vocabulary.ts';
import { TRANSCRIBE_VOCABULARY_LANGUAGES, transcribePhrases, vocabularyBaseName, vocabularyVersionName } from './transcribe-vocabulary.ts';

/**
 * Brings a tenant's Amazon Transcribe custom vocabularies in line with its entries (see
 * transcribe-vocabulary.ts): the current version of each language is created if missing (Transcribe
 * builds it in the background: PENDING, then READY or FAILED), and once it has been current for an
 * hour the older versions are deleted. It never waits for a build; the state it reports is what the status route shows.
 */

/** The engine's view of one language of a tenant's vocabulary. */
export const engineVocabularyStatusSchema = z.object({
  language: z.string(),
  state: z.enum(['NONE', 'PENDING', 'READY', 'FAILED', 'ERROR']).meta({
    description:
      "`NONE`: no phrase in this language; `PENDING`/`READY`/`FAILED`: Transcribe's state; `ERROR`: Transcribe could not be asked.",
  }),
  vocabularyName: z.string().nullable(),
  phrases: z.number().int().nonnegative(),
  failureReason: z.string().nullable().meta({ description: "Transcribe's failure reason, or why it could not be asked." }),
});
export type EngineVocabularyStatus = z.infer<typeof engineVocabularyStatusSchema>;

/** How long a version must have been the current one before the older ones are deleted. */
const OLD_VERSION_GRACE_MS = 60 * 60_000;

export async function syncTranscribeVocabularies(
  client: TranscribeClient,
  tenant: string,
  entries: readonly Pick<CustomVocabularyItem, 'phrase' | 'soundsLike'>[],
  now: () => number = Date.now,
): Promise<EngineVocabularyStatus[]> {
  return Promise.all(TRANSCRIBE_VOCABULARY_LANGUAGES.map((language) => syncLanguage(client, tenant, language, entries, now)));
}

async function syncLanguage(
  client: TranscribeClient,
  tenant: string,
  language: string,
  entries: readonly Pick<CustomVocabularyItem, 'phrase' | 'soundsLike'>[],
  now: () => number,
): Promise<EngineVocabularyStatus> {
  const phrases = transcribePhrases(entries, language);
  const name = vocabularyVersionName(tenant, language, phrases);
  const status = { language, vocabularyName: name ?? null, phrases: phrases.length, failureReason: null };
  try {
    let state: EngineVocabularyStatus['state'] = 'NONE';
    let failureReason: string | null = null;
    if (name) {
      try {
        await client.send(new CreateVocabularyCommand({ VocabularyName: name, LanguageCode: language as LanguageCode, Phrases: phrases }));
      } catch (error) {
        // The version exists already: another request (or an earlier one) created it.
        if (!(error instanceof ConflictException)) throw error;
      }
      const current = await client.send(new GetVocabularyCommand({ VocabularyName: name }));
      state = current.VocabularyState ?? 'PENDING';
      failureReason = current.FailureReason ?? null;
      // Older versions go once this one has been the current one for the grace period, so no gateway
      // still uses them (see transcribe-vocabulary.ts). With no phrases left, nothing is deleted.
      const since = current.LastModifiedTime?.getTime() ?? now();
      if (now() - since > OLD_VERSION_GRACE_MS) await deleteOldVersions(client, vocabularyBaseName(tenant, language), name);
    }
    return { ...status, state, failureReason };
  } catch (error) {
    return { ...status, state: 'ERROR', failureReason: describe(error) };
  }
}

async function deleteOldVersions(client: TranscribeClient, base: string, current: string): Promise<void> {
  let NextToken: string | undefined;
  const old: string[] = [];
  do {
    const page = await client.send(new ListVocabulariesCommand({ NameContains: base, MaxResults: 100, NextToken }));
    for (const v of page.Vocabularies ?? []) {
      if (v.VocabularyName?.startsWith(base) && v.VocabularyName !== current) old.push(v.VocabularyName);
    }
    NextToken = page.NextToken;
  } while (NextToken);
  for (const VocabularyName of old) await client.send(new DeleteVocabularyCommand({ VocabularyName }));
}

function describe(error: unknown): string {
  const e = error as { name?: string; message?: string };
  return `${e?.name ?? 'Error'}: ${(e?.message ?? String(error)).slice(0, 200)}`;
}
