import { GetVocabularyCommand, type TranscribeClient } from '@aws-sdk/client-transcribe';
import type { AppLogger } from '#core/logger.ts';
import type { CustomVocabularyItem } from '#core/vocabulary/custom-vocabulary.ts';
import { transcribePhrases, vocabularyVersionName } from '#core/vocabulary/transcribe-vocabulary.ts';

/**
 * Which Amazon Transcribe custom vocabulary a stream starting now may name, per tenant and language:
 * the current version of the tenant's list (core/vocabulary/transcribe-vocabulary.ts) once Transcribe
 * reports it READY. A call never waits for it: the answer comes from what the last background check
 * found, and a tenant not checked yet (or whose version is still building, or failed) is transcribed
 * without a vocabulary. A name is used for at most MAX_AGE_MS after the check that saw it READY; older
 * versions are deleted only an hour after a newer one became current, so a stream never names a
 * vocabulary that is gone.
 */

export interface VocabularyDirectoryOptions {
  client: TranscribeClient;
  /** The tenant's entries (the same list the rewrite pass uses). */
  entries(tenant: string): Promise<readonly Pick<CustomVocabularyItem, 'phrase' | 'soundsLike'>[]>;
  languages: readonly string[];
  logger: AppLogger;
  now?: () => number;
  /** A check older than this is repeated in the background (default 60 s). */
  refreshAfterMs?: number;
}

/** A READY name seen longer ago than this is not used (well inside the hour before old versions are deleted). */
const MAX_AGE_MS = 10 * 60_000;
/** Tenants remembered; beyond it the oldest check is forgotten. */
const MAX_TENANTS = 10_000;

interface Check {
  checkedAt: number;
  ready: Map<string, string>;
}

export class VocabularyDirectory {
  private readonly checks = new Map<string, Check>();
  private readonly refreshing = new Map<string, Promise<void>>();
  private readonly now: () => number;

  constructor(private readonly options: VocabularyDirectoryOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The READY vocabulary for a stream starting now, or undefined; starts a background check when due. */
  nameFor(tenant: string, language: string): string | undefined {
    const check = this.checks.get(tenant);
    const age = check ? this.now() - check.checkedAt : Infinity;
    if (age > (this.options.refreshAfterMs ?? 60_000)) void this.refresh(tenant);
    return age <= MAX_AGE_MS ? check?.ready.get(language) : undefined;
  }

  /** Checks the tenant's current versions now (also what `nameFor` starts); resolves when done. */
  refresh(tenant: string): Promise<void> {
    let running = this.refreshing.get(tenant);
    if (!running) {
      running = this.check(tenant).finally(() => this.refreshing.delete(tenant));
      this.refreshing.set(tenant, running);
    }
    return running;
  }

  private async check(tenant: string): Promise<void> {
    try {
      const entries = await this.options.entries(tenant);
      const ready = new Map<string, string>();
      for (const language of this.options.languages) {
        const name = vocabularyVersionName(tenant, language, transcribePhrases(entries, language));
        if (!name) continue;
        const found = await this.state(name);
        if (found === 'READY') ready.set(language, name);
        else
          this.options.logger.info('custom vocabulary not ready in Amazon Transcribe; streams go without it', { language, state: found });
      }
      this.checks.delete(tenant);
      this.checks.set(tenant, { checkedAt: this.now(), ready });
      if (this.checks.size > MAX_TENANTS) this.checks.delete(this.checks.keys().next().value!);
    } catch (error) {
      this.options.logger.warn('custom vocabulary state not checked; streams go without it', { error });
    }
  }

  private async state(name: string): Promise<string> {
    try {
      const found = await this.options.client.send(new GetVocabularyCommand({ VocabularyName: name }));
      return found.VocabularyState ?? 'PENDING';
    } catch (error) {
      // Transcribe answers a name it does not know with BadRequestException ("couldn't be found").
      const e = error as { name?: string; message?: string };
      if (
        e.name === 'NotFoundException' ||
        (e.name === 'BadRequestException' && /not be found|couldn't be found|not found/i.test(e.message ?? ''))
      )
        return 'MISSING';
      throw error;
    }
  }
}
