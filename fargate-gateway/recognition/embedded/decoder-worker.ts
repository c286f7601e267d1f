import { parentPort, workerData } from 'node:worker_threads';
import type { DecoderWorkerData, FromWorker, ToWorker } from './decoder-protocol.ts';
import type { DecoderVocabulary } from './decoder-vocabulary.ts';
import { spellPhrases, VOCABULARY_MODEL, vocabularyWords } from './decoder-vocabulary.ts';
import { PocketSphinxDecoder } from './pocketsphinx-decoder.ts';
import { PocketSphinxUnavailableError } from './pocketsphinx.ts';
import { SegmentDecoding } from './segment-decoding.ts';

/**
 * A decoder worker thread: owns one PocketSphinx decoder and decodes one segment at a time for the pool.
 * It does not log; everything goes back to the pool, which does.
 */

const port = parentPort!;
const data = workerData as DecoderWorkerData;

function post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

function createDecoder(): PocketSphinxDecoder | undefined {
  try {
    const started = performance.now();
    const created = new PocketSphinxDecoder(data.paths, data.search);
    post({ type: 'ready', loadMs: performance.now() - started, speakerMeans: created.speakerMeans });
    return created;
  } catch (error) {
    post({
      type: 'failed',
      message: error instanceof Error ? error.message : String(error),
      unavailable: error instanceof PocketSphinxUnavailableError,
    });
    // Closing the port lets the thread end.
    port.close();
    return undefined;
  }
}

const created = createDecoder();
if (created) serve(created);

function serve(initial: PocketSphinxDecoder): void {
  let decoder = initial;
  let job: { id: number; decoding: SegmentDecoding; busyMs: number } | undefined;
  /** The custom vocabulary in the decoder: which list, and its tokens' phrases. */
  let vocabulary: { key?: string; phrases: ReadonlyMap<string, string> } = { phrases: new Map() };
  /** The decoder holds words beyond the model's (some list's, perhaps in part). */
  let extended = false;

  /** Words cannot be taken out of a decoder: a list replaces another in a fresh one. */
  function useVocabulary(list: DecoderVocabulary | undefined): void {
    if (list?.key === vocabulary.key) return;
    const started = performance.now();
    job?.decoding.abort();
    job = undefined;
    if (extended) {
      decoder.free();
      decoder = new PocketSphinxDecoder(data.paths, data.search);
      extended = false;
    }
    vocabulary = { key: list?.key, phrases: new Map() };
    if (!list) {
      post({ type: 'vocabulary', phrases: 0, words: 0, skipped: [], ms: performance.now() - started });
      return;
    }
    const { words, phrases, skipped } = vocabularyWords(list, (word) => decoder.pronunciation(word));
    try {
      extended = words.length > 0;
      if (words.length > 0) decoder.addWords(words, VOCABULARY_MODEL);
      vocabulary = { key: list.key, phrases };
      post({ type: 'vocabulary', key: list.key, phrases: phrases.size, words: words.length, skipped, ms: performance.now() - started });
    } catch (error) {
      // Its tokens must never reach a transcript unspelled: the list's spans go on without its words.
      decoder.free();
      decoder = new PocketSphinxDecoder(data.paths, data.search);
      extended = false;
      const message = error instanceof Error ? error.message : String(error);
      post({ type: 'vocabulary', key: list.key, phrases: 0, words: 0, skipped, ms: performance.now() - started, error: message });
    }
  }

  function fail(id: number, error: unknown): void {
    job?.decoding.abort();
    job = undefined;
    post({ type: 'error', job: id, message: error instanceof Error ? error.message : String(error) });
  }

  port.on('message', (message: ToWorker) => {
    if (message.type === 'ping') {
      post({ type: 'pong', seq: message.seq });
      return;
    }
    if (message.type === 'vocabulary') {
      useVocabulary(message.vocabulary);
      return;
    }
    if (message.type === 'abort') {
      const returned = message.job === job?.id ? job.decoding.chunks : [];
      if (message.job === job?.id) {
        job.decoding.abort();
        job = undefined;
      }
      post(
        { type: 'aborted', job: message.job, chunks: returned },
        returned.map((c) => c.buffer as ArrayBuffer),
      );
      return;
    }
    const started = performance.now();
    try {
      if (message.type === 'start') {
        job = undefined; // a start that fails must not leave the previous job current
        job = { id: message.job, decoding: new SegmentDecoding(decoder, message.mean), busyMs: 0 };
      } else if (message.job !== job?.id) {
        return;
      } else if (message.type === 'audio') {
        job.decoding.add(message.pcm);
      } else if (message.type === 'settle') {
        job.decoding.finish();
      } else {
        const { utterance: decoded, mean } = job.decoding.finish();
        const utterance = spellPhrases(decoded, vocabulary.phrases);
        const finishMs = performance.now() - started;
        const busyMs = job.busyMs + finishMs;
        job = undefined;
        post({ type: 'result', job: message.job, utterance, mean, busyMs, finishMs }, mean ? [mean.buffer as ArrayBuffer] : []);
        return;
      }
      job.busyMs += performance.now() - started;
    } catch (error) {
      fail(message.job, error);
    }
  });
}
