import type { Role } from '#core/domain/participant.ts';
import { logger } from '#core/logger.ts';
import type { RecognitionListener, RecognitionOptions, RecognitionResult, RecognitionSession, Recognizer } from '../recognizer.ts';
import { RecognitionError } from '../recognizer.ts';
import type { DecoderSearch } from './decoder-config.ts';
import { DecoderPool } from './decoder-pool.ts';
import { decoderVocabulary } from './decoder-vocabulary.ts';
import type { EmbeddedRecognizerConfig } from './embedded-config.ts';
import { EMBEDDED_LANGUAGES, embeddedConfigFromEnv } from './embedded-config.ts';
import { phraseGrammar } from './phrase-grammar.ts';
import { SpeakerTranscriber } from './speaker-transcriber.ts';
import { STREAM_STATUS } from '#core/contract/status-codes.ts';

/**
 * The offline engine: PocketSphinx with the 8 kHz telephone model, in a pool of decoder worker threads
 * shared by every call. Each participant's audio is cut into speech segments (segmenter.ts), each
 * segment is decoded as one utterance (decoder-pool.ts), and each result lands on the call timeline.
 */
export class EmbeddedRecognizer implements Recognizer {
  readonly languages = EMBEDDED_LANGUAGES;
  readonly #pool: DecoderPool;
  readonly #config: EmbeddedRecognizerConfig;
  readonly #sessions = new Set<Promise<void>>();
  #closed = false;

  private constructor(pool: DecoderPool, config: EmbeddedRecognizerConfig) {
    this.#pool = pool;
    this.#config = config;
  }

  /** Loads every decoder; rejects (PocketSphinxUnavailableError says what to install) if they cannot run. */
  static async create(config: EmbeddedRecognizerConfig): Promise<EmbeddedRecognizer> {
    const search: DecoderSearch = config.phrases ? { kind: 'jsgf', grammar: phraseGrammar(config.phrases) } : { kind: 'lm' };
    const started = performance.now();
    const pool = await DecoderPool.start({
      size: config.decoders,
      workerData: { paths: config.paths, search },
      maxPendingSamples: config.maxPendingSeconds * 8000,
      watchdogMs: config.watchdogMs,
      workerUrl: config.workerUrl,
    });
    logger.info('embedded speech engine ready', {
      decoders: config.decoders,
      mode: search.kind === 'jsgf' ? 'phrases' : 'language-model',
      loadMs: Math.round(performance.now() - started),
    });
    return new EmbeddedRecognizer(pool, config);
  }

  open(options: RecognitionOptions, listener: RecognitionListener): RecognitionSession {
    const log = logger.createChild({ persistentKeys: { conversationId: options.conversationId } });
    const safe = {
      onResult(result: RecognitionResult): void {
        try {
          listener.onResult(result);
        } catch (error) {
          log.error('recognition listener failed on a result', { error, role: result.role });
        }
      },
      onError(role: Role, error: RecognitionError): void {
        try {
          listener.onError(role, error);
        } catch (failure) {
          log.error('recognition listener failed on an error', { error: failure, role });
        }
      },
    };
    if (this.#closed) {
      queueMicrotask(() =>
        options.roles.forEach((role) => safe.onError(role, new RecognitionError(STREAM_STATUS.SHUTTING_DOWN, 'speech engine closed'))),
      );
      return inertSession();
    }
    if (!EMBEDDED_LANGUAGES.includes(options.language)) {
      // Reported after open() returns, like every other listener call.
      queueMicrotask(() => {
        for (const role of options.roles) {
          safe.onError(
            role,
            new RecognitionError(
              STREAM_STATUS.LANGUAGE_NOT_SUPPORTED,
              `the embedded speech engine has no ${options.language} model (only ${EMBEDDED_LANGUAGES.join(', ')})`,
            ),
          );
        }
      });
      return inertSession();
    }

    // Phrase-list mode recognizes its grammar only: added words could never be heard.
    const vocabulary =
      options.vocabulary && !this.#config.phrases
        ? options.vocabulary.then(
            (phrases) => (phrases ? decoderVocabulary(phrases) : undefined),
            () => undefined,
          )
        : undefined;
    const speakers = new Map<Role, SpeakerTranscriber>();
    for (const role of options.roles) {
      speakers.set(
        role,
        new SpeakerTranscriber({
          role,
          pool: this.#pool,
          segmenter: this.#config.segmenter,
          wordTimings: options.wordTimings,
          vocabulary,
          onResult: (result) => safe.onResult(result),
          onError: (error) => safe.onError(role, error),
          onSegment: this.#config.onSegment,
        }),
      );
    }
    let ended: Promise<void> | undefined;
    return {
      write: (role, pcm, startSample) => {
        if (ended) return;
        speakers.get(role)?.write(pcm, startSample);
      },
      end: () => {
        ended ??= (async () => {
          const flushed = Promise.all([...speakers.values()].map((s) => s.flush())).then(() => undefined);
          this.#sessions.add(flushed);
          try {
            await flushed;
          } finally {
            this.#sessions.delete(flushed);
          }
        })();
        return ended;
      },
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.close();
    await Promise.allSettled([...this.#sessions]);
  }
}

function inertSession(): RecognitionSession {
  return { write: () => undefined, end: async () => undefined };
}

/** The gateway's factory: configuration from the environment (embedded-config.ts) unless given. */
export function createEmbeddedRecognizer(config: Partial<EmbeddedRecognizerConfig> = {}): Promise<EmbeddedRecognizer> {
  const fromEnv = embeddedConfigFromEnv();
  return EmbeddedRecognizer.create({
    ...fromEnv,
    ...config,
    paths: { ...fromEnv.paths, ...config.paths },
    segmenter: { ...fromEnv.segmenter, ...config.segmenter },
  });
}
