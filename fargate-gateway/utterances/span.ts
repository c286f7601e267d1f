import { monotonicFactory } from 'ulid';
import type { Role } from '#core/domain/participant.ts';
import { ROLES } from '#core/domain/participant.ts';
import { SUPPORTED_LANGUAGES, type TranscriptionSettings } from '#core/domain/transcription.ts';
import { streamStatus, type StopResults, type StreamStatus } from '#core/domain/participant-result.ts';
import type { Utterance } from '#core/domain/utterance.ts';
import type { AppLogger } from '#core/logger.ts';
import { renderUtteranceText, type RenderOptions } from '#core/text/pipeline.ts';
import type { VocabularyPhrase } from '#core/vocabulary/custom-vocabulary.ts';
import { NO_REWRITE, type VocabularyRewrite } from '#core/vocabulary/rewrite.ts';
import type { TenantVocabulary } from '#core/vocabulary/tenant-vocabulary.ts';
import { countLostAudio } from '../recognition/lost-audio.ts';
import type { Recognizer, RecognitionError, RecognitionResult, RecognitionSession } from '../recognition/recognizer.ts';
import { STREAM_STATUS, type StreamStatusCode } from '#core/contract/status-codes.ts';

/**
 * One start→stop span of transcription for a call (docs/api-contract.md §2.4, §2.7): the recognition
 * session, the stream ids, the per-participant counters of the stop summary, and the turn of each
 * final result into an utterance record.
 */

export interface SpanOptions {
  conversationId: string;
  externalConversationId: string;
  settings: TranscriptionSettings;
  streamIds: Record<Role, string>;
  /** Participants that have a channel in the negotiated media. */
  presentRoles: readonly Role[];
  recognizer: Recognizer;
  sink: { record(utterance: Utterance): Promise<void> };
  /** Wall-clock ms of audio position zero (when `opened` was sent). */
  audioEpochMs: number;
  tenant: string;
  redaction: RenderOptions['redaction'];
  logger: AppLogger;
  now?: () => number;
  /**
   * How long `end` waits for the last finals (docs/api-contract.md §2.4: at most 5 s; the counts reflect
   * what was flushed by then). Results that arrive later are still recorded and delivered.
   */
  flushBudgetMs?: number;
  /** The language to recognize, resolved by the call (it may be one the engine lacks: 4050). */
  language: string;
  /** The tenant's custom vocabulary as loaded when the span started; finals before it arrives go without. */
  vocabulary?: Promise<TenantVocabulary>;
  /** The engine's own custom vocabulary for a language, when one is ready (never waited for). */
  engineVocabulary?(language: string): string | undefined;
  /** Ask the engine for word timings even when the start did not ask for detailed tokens. */
  wordTimings?: boolean;
  /** Told of each final as it is recorded, with the engine detail the record does not keep. */
  onFinal?(final: SpanFinal): void;
}

export interface SpanFinal {
  utterance: Utterance;
  /** The language the utterance was recognized in. */
  language: string;
  confidence?: number;
  words?: RecognitionResult['words'];
  /** Formatted word tokens with times (whether or not the record keeps them). */
  tokens?: Utterance['tokens'];
}

interface ParticipantState {
  streamId: string;
  /** The worst status seen in the span; reported by stop. */
  status: StreamStatusCode;
  /** No more audio goes to recognition (channel absent, language unsupported, engine shutting down). */
  stopped: boolean;
  samples: number;
  transcripts: number;
}

const newMessageId = monotonicFactory();
/** Longest wait of a span's first finals for the tenant's custom vocabulary. */
const VOCABULARY_WAIT_MS = 1_000;

export class TranscriptionSpan {
  private readonly participants: Record<Role, ParticipantState>;
  private session: RecognitionSession;
  /** Recognition sessions ended by `restart`, still flushing their last finals. */
  private readonly retiring = new Set<Promise<void>>();
  private language: string;
  /**
   * Settles once every earlier recognition session has flushed and its finals are handed on: a new
   * session's finals wait for it, so each speaker's finals stay in timeline order across restarts.
   */
  private earlierDelivered: Promise<void> = Promise.resolve();
  /** The engine lacks the current language: no audio goes to recognition until an `update` fixes it. */
  private languageRefused = false;
  private vocabulary: VocabularyRewrite = NO_REWRITE;
  /** The entries for the engine, as loaded within VOCABULARY_WAIT_MS of the start (else undefined). */
  private vocabularyPhrases: Promise<readonly VocabularyPhrase[] | undefined> | undefined;
  private readonly startedAt: number;
  private readonly now: () => number;
  private readonly pending = new Set<Promise<void>>();
  private ended: Promise<StopResults> | undefined;

  constructor(private readonly options: SpanOptions) {
    this.now = options.now ?? Date.now;
    this.startedAt = this.now();
    const present = new Set(options.presentRoles);
    this.participants = {
      customer: {
        streamId: options.streamIds.customer,
        status: present.has('customer') ? STREAM_STATUS.OK : STREAM_STATUS.UNABLE_TO_TRANSCRIBE,
        stopped: !present.has('customer'),
        samples: 0,
        transcripts: 0,
      },
      agent: {
        streamId: options.streamIds.agent,
        status: present.has('agent') ? STREAM_STATUS.OK : STREAM_STATUS.UNABLE_TO_TRANSCRIBE,
        stopped: !present.has('agent'),
        samples: 0,
        transcripts: 0,
      },
    };
    this.language = options.language;
    // Recognition never fails because of the vocabulary; the first finals, and the embedded engine's
    // first segments, wait for it at most VOCABULARY_WAIT_MS (it is one small query), later ones not at all.
    if (options.vocabulary) {
      const loaded = options.vocabulary.then(
        (vocabulary) => {
          this.vocabulary = vocabulary.rewrite;
          return vocabulary.phrases;
        },
        (error: unknown) => void options.logger.warn('custom vocabulary not loaded; transcribing without it', { error }),
      );
      let timer: NodeJS.Timeout | undefined;
      const waited = new Promise<undefined>((resolve) => (timer = setTimeout(resolve, VOCABULARY_WAIT_MS, undefined)));
      this.vocabularyPhrases = Promise.race([loaded, waited]).finally(() => clearTimeout(timer));
      this.earlierDelivered = this.vocabularyPhrases.then(() => undefined);
    }
    this.session = this.openRecognition();
  }

  /** The language recognition runs in now. */
  get currentLanguage(): string {
    return this.language;
  }

  /** True when the engine can recognize `language` (docs/api-contract.md §2.6: 4050 otherwise). */
  static supports(recognizer: Recognizer, language: string): boolean {
    return (recognizer.languages ?? SUPPORTED_LANGUAGES).includes(language);
  }

  /**
   * The utterances in progress end here (a `pause`, an `update`), and recognition goes on with new
   * streams, in `language` when given. Positions stay on the one call timeline, so the new streams'
   * results line up with the old ones; the old streams' last finals are still recorded.
   */
  restart(language: string = this.language): void {
    if (this.ended) return;
    const previous = this.session;
    const retired = previous.end().catch((error: unknown) => {
      this.options.logger.error('recognition did not end cleanly', { error });
    });
    this.retiring.add(retired);
    void retired.finally(() => this.retiring.delete(retired));
    this.earlierDelivered = Promise.all([this.earlierDelivered, retired]).then(() => undefined);
    this.language = language;
    this.session = this.openRecognition();
  }

  private openRecognition(): RecognitionSession {
    const { options } = this;
    this.languageRefused = !TranscriptionSpan.supports(options.recognizer, this.language);
    if (this.languageRefused) {
      for (const role of ROLES) if (!this.participants[role].stopped) this.participants[role].status = STREAM_STATUS.LANGUAGE_NOT_SUPPORTED;
      return { write: () => undefined, end: async () => undefined };
    }
    const language = this.language;
    const vocabularyName = options.engineVocabulary?.(language);
    // Finals that arrive before the earlier sessions' are held back, in order.
    let held: RecognitionResult[] | undefined = [];
    this.earlierDelivered = this.earlierDelivered.then(() => {
      const waiting = held ?? [];
      held = undefined;
      for (const result of waiting) {
        try {
          this.onResult(result, language);
        } catch (error) {
          this.options.logger.error('a held final could not be handled', { error, role: result.role });
        }
      }
    });
    return options.recognizer.open(
      {
        conversationId: options.conversationId,
        language,
        sampleRate: 8000,
        roles: options.presentRoles,
        wordTimings: options.settings.detailedToken || options.wordTimings === true,
        ...(vocabularyName ? { vocabularyName } : {}),
        ...(this.vocabularyPhrases ? { vocabulary: this.vocabularyPhrases } : {}),
      },
      {
        onResult: (result) => (held ? held.push(result) : this.onResult(result, language)),
        onError: (role, error) => this.onError(role, error),
      },
    );
  }

  statusOf(role: Role): StreamStatus {
    return streamStatus(this.participants[role].status);
  }

  /** Whether `write` keeps nothing of the arrays it is given once it returns (RecognitionSession.copiesInput). */
  get copiesInput(): boolean {
    return this.session.copiesInput === true;
  }

  /** PCM of one participant; counted as recognition input only while the participant's stream is healthy. */
  write(role: Role, pcm: Int16Array, startSample: number): void {
    const participant = this.participants[role];
    if (this.ended || participant.stopped || this.languageRefused) return;
    participant.samples += pcm.length;
    this.session.write(role, pcm, startSample);
  }

  /** Ends recognition, waits for the last finals to be recorded, and reports each participant. */
  end(): Promise<StopResults> {
    this.ended ??= this.finish();
    return this.ended;
  }

  private async finish(): Promise<StopResults> {
    const flushed = (async () => {
      try {
        await this.session.end();
      } catch (error) {
        this.options.logger.error('recognition did not end cleanly', { error });
      }
      while (this.retiring.size > 0) await Promise.allSettled([...this.retiring]);
      await this.earlierDelivered;
      while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
      return true;
    })();
    let budget: NodeJS.Timeout | undefined;
    const expired = new Promise<false>((resolve) => {
      budget = setTimeout(() => resolve(false), this.options.flushBudgetMs ?? 5_000);
    });
    const complete = await Promise.race([flushed, expired]);
    clearTimeout(budget);
    if (!complete)
      this.options.logger.warn('recognition still flushing at the end of the budget; later results are still recorded', {
        budgetMs: this.options.flushBudgetMs ?? 5_000,
      });
    // Started seconds count whole, and a span that ran counts at least one: a start and stop in the same
    // millisecond must not report 0, which is reserved for a participant whose stream never started.
    const streamingSeconds = Math.max(1, Math.ceil((this.now() - this.startedAt) / 1000));
    const report = {} as StopResults;
    for (const role of ROLES) {
      const p = this.participants[role];
      const totalAudioBytes = p.samples * 2;
      report[role] = {
        streamId: p.streamId,
        status: streamStatus(p.status),
        // A participant whose stream never started (absent channel, refused language) reports zeros (§2.4).
        summary: {
          totalAudioBytes,
          audioDurationMs: Math.floor(totalAudioBytes / 16),
          streamingSeconds: p.status !== STREAM_STATUS.OK && p.samples === 0 ? 0 : streamingSeconds,
          transcripts: p.transcripts,
        },
      };
    }
    return report;
  }

  private onResult(result: RecognitionResult, language: string): void {
    const participant = this.participants[result.role];
    const { settings } = this.options;
    const rendered = renderUtteranceText(result, {
      redaction: this.options.redaction,
      wantTokens: settings.detailedToken || this.options.onFinal !== undefined,
      vocabulary: this.vocabulary,
    });
    if (rendered.rawText.trim().length === 0) return;
    participant.transcripts++;
    const createdAt = this.now();
    const utterance: Utterance = {
      conversationId: this.options.conversationId,
      externalConversationId: this.options.externalConversationId,
      messageId: newMessageId(createdAt),
      streamId: participant.streamId,
      role: result.role,
      externalId: result.role === 'customer' ? settings.customerId : settings.agentId,
      startMs: result.startMs,
      endMs: result.endMs,
      maskedText: rendered.maskedText,
      rawText: rendered.rawText,
      redactionOutput: settings.redactionOutput,
      clientTimestamp: new Date(this.options.audioEpochMs + result.startMs).toISOString(),
      createdTimestamp: new Date(createdAt).toISOString(),
      tenant: this.options.tenant,
    };
    if (settings.detailedToken && rendered.tokens) utterance.tokens = rendered.tokens;
    try {
      this.options.onFinal?.({ utterance, language, confidence: result.confidence, words: result.words, tokens: rendered.tokens });
    } catch (error) {
      this.options.logger.error('a listener of finals failed', { error, messageId: utterance.messageId });
    }
    const recorded = this.options.sink.record(utterance).catch((error: unknown) => {
      this.options.logger.error('utterance could not be recorded', { error, messageId: utterance.messageId, role: result.role });
    });
    this.pending.add(recorded);
    void recorded.finally(() => this.pending.delete(recorded));
  }

  /**
   * A lost segment (5000) or a full engine (5002) loses some words, not the speaker: audio keeps flowing
   * and the code is reported at stop. An unsupported language or a shutting-down engine ends the speaker.
   */
  private onError(role: Role, error: RecognitionError): void {
    this.options.logger.error('recognition failed for a participant', {
      role,
      statusCode: error.statusCode,
      error: error.message,
      lostAudioMs: error.lostAudioMs,
    });
    countLostAudio(error);
    const participant = this.participants[role];
    participant.status = error.statusCode;
    if (
      error.statusCode === STREAM_STATUS.LANGUAGE_NOT_SUPPORTED ||
      error.statusCode === STREAM_STATUS.SHUTTING_DOWN ||
      error.statusCode === STREAM_STATUS.UNABLE_TO_TRANSCRIBE
    ) {
      participant.stopped = true;
    }
  }
}
