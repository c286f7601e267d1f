import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CepstralMean } from './cepstral-mean.ts';
import type { DecoderPaths, DecoderSearch } from './decoder-config.ts';
import { decoderArguments } from './decoder-config.ts';
import type { Bindings } from './pocketsphinx.ts';
import { loadBindings, unavailable } from './pocketsphinx.ts';

/** Decoder frames are 10 ms (the default -frate 100). */
export const FRAME_MS = 10;

/**
 * Audio goes to the engine in blocks of this many samples counted from the utterance's first sample.
 * Live CMN updates its estimate at block boundaries, so fixed blocks make a segment's transcript
 * independent of how its audio happened to be chunked on the way (streamed live or sent as a backlog).
 */
const BLOCK_SAMPLES = 800;

export interface DecodedWord {
  word: string;
  /** Frames from the start of the utterance; `endFrame` is inclusive. */
  startFrame: number;
  endFrame: number;
  /** Posterior probability 0..1 from the word lattice. */
  confidence: number;
}

export interface DecodedUtterance {
  /** Lower-case words separated by single spaces; empty when nothing was recognized. */
  text: string;
  words: DecodedWord[];
  /** Mean word posterior; undefined without words. */
  confidence?: number;
}

export interface FinishedUtterance {
  utterance: DecodedUtterance;
  /** The speaker's cepstral mean after this utterance, to start their next one with. */
  mean?: Float32Array;
}

/** The name of the language-model search ps_init creates. */
const DEFAULT_SEARCH = '_default';
/** ngram_file_type_t */
const NGRAM_ARPA = 1;

/** An ARPA unigram model of `words`, each with `probability` (sentence marks never predicted). */
function unigramModel(words: readonly string[], probability: number): string {
  const log10 = Math.log10(probability).toFixed(4);
  return [
    '\\data\\',
    `ngram 1=${words.length + 2}`,
    '',
    '\\1-grams:',
    '-99.0000 <s>',
    '-99.0000 </s>',
    ...words.map((word) => `${log10} ${word}`),
    '',
    '\\end\\',
    '',
  ].join('\n');
}

/** Fillers (`<s>`, `<sil>`, `[NOISE]`, `++UH++`) are not words of the transcript. */
function isFiller(word: string): boolean {
  return word.startsWith('<') || word.startsWith('[') || word.startsWith('+');
}

/** `read(2)` is the dictionary's second pronunciation of `read`. */
function baseWord(word: string): string {
  const paren = word.indexOf('(');
  return paren > 0 ? word.slice(0, paren) : word;
}

function checkModelFiles(paths: DecoderPaths, search: DecoderSearch): void {
  const needed = [paths.hmm, paths.dict, paths.fdict, ...(search.kind === 'lm' ? [paths.lm] : [])];
  const missing = needed.filter((p) => !fs.existsSync(p));
  if (missing.length) throw unavailable(`Speech model files are missing: ${missing.join(', ')}`);
}

/**
 * One PocketSphinx decoder. Synchronous and single-threaded: it belongs to exactly one worker thread,
 * which uses it for one utterance (one segment) at a time, for any speaker.
 */
export class PocketSphinxDecoder {
  readonly #b: Bindings;
  #ps: unknown;
  readonly #logmath: unknown;
  readonly #paths: DecoderPaths;
  readonly #mean: CepstralMean | undefined;
  /** The model's initial cepstral mean: where every new speaker starts. */
  readonly initialMean: Float32Array | undefined;
  readonly #block = new Int16Array(BLOCK_SAMPLES);
  #blockFill = 0;
  #inUtterance = false;

  constructor(paths: DecoderPaths, search: DecoderSearch = { kind: 'lm' }) {
    this.#b = loadBindings(paths.library);
    this.#paths = paths;
    checkModelFiles(paths, search);
    const argv = decoderArguments(paths, search);
    const config = this.#b.cmd_ln_parse_r(null, this.#b.ps_args(), argv.length, argv, 1);
    if (!config) throw new Error(`PocketSphinx rejected its arguments: ${argv.join(' ')}`);
    this.#ps = this.#b.ps_init(config);
    // ps_init holds its own reference to the configuration.
    this.#b.cmd_ln_free_r(config);
    if (!this.#ps) throw new Error(`PocketSphinx could not load the models (hmm ${paths.hmm}, dict ${paths.dict})`);
    if (search.kind === 'jsgf') {
      if (this.#b.ps_set_jsgf_string(this.#ps, 'phrases', search.grammar) < 0 || this.#b.ps_set_search(this.#ps, 'phrases') < 0) {
        this.free();
        throw new Error('PocketSphinx rejected the phrase grammar (syntax, or a word missing from the dictionary)');
      }
    }
    this.#logmath = this.#b.ps_get_logmath(this.#ps);
    this.#mean = CepstralMean.of(this.#b, this.#ps);
    this.initialMean = this.#mean?.get();
  }

  /** Whether speakers' cepstral means can be saved and restored (see cepstral-mean.ts). */
  get speakerMeans(): boolean {
    return this.#mean !== undefined;
  }

  /**
   * Starts an utterance for a speaker; `mean` is what their previous utterance returned. `meanWeight`
   * (frames) makes the mean adapt faster than the library's default 500 (see cepstral-mean.ts).
   */
  begin(mean?: Float32Array, meanWeight?: number): void {
    const ps = this.#live();
    if (this.#inUtterance) this.abort();
    const start = mean ?? this.initialMean;
    if (this.#mean && start) this.#mean.set(start, meanWeight);
    // Each segment is a stream of its own: without this, fed in pieces, word frames keep counting from
    // the decoder's first utterance.
    if (this.#b.ps_start_stream(ps) < 0 || this.#b.ps_start_utt(ps) < 0) throw new Error('ps_start_utt failed');
    this.#inUtterance = true;
    this.#blockFill = 0;
  }

  feed(pcm: Int16Array): void {
    if (!this.#inUtterance) throw new Error('feed() outside an utterance');
    let offset = 0;
    while (offset < pcm.length) {
      if (this.#blockFill === 0 && pcm.length - offset >= BLOCK_SAMPLES) {
        this.#process(pcm.subarray(offset, offset + BLOCK_SAMPLES));
        offset += BLOCK_SAMPLES;
        continue;
      }
      const take = Math.min(BLOCK_SAMPLES - this.#blockFill, pcm.length - offset);
      this.#block.set(pcm.subarray(offset, offset + take), this.#blockFill);
      this.#blockFill += take;
      offset += take;
      if (this.#blockFill === BLOCK_SAMPLES) {
        this.#process(this.#block);
        this.#blockFill = 0;
      }
    }
  }

  finish(): FinishedUtterance {
    if (!this.#inUtterance) throw new Error('finish() outside an utterance');
    const ps = this.#live();
    if (this.#blockFill > 0) this.#process(this.#block.subarray(0, this.#blockFill));
    this.#blockFill = 0;
    this.#inUtterance = false;
    if (this.#b.ps_end_utt(ps) < 0) throw new Error('ps_end_utt failed');
    const mean = this.#mean?.get();
    const text = ((this.#b.ps_get_hyp(ps, [0]) as string | null) ?? '').trim().replace(/\s+/g, ' ');
    if (!text) return { utterance: { text: '', words: [] }, mean };
    const words = this.#words(ps);
    const confidence = words.length ? words.reduce((sum, w) => sum + w.confidence, 0) / words.length : undefined;
    return { utterance: { text, words, confidence }, mean };
  }

  /** Drops the utterance in progress. */
  abort(): void {
    if (!this.#inUtterance) return;
    this.#inUtterance = false;
    this.#blockFill = 0;
    this.#b.ps_end_utt(this.#live());
  }

  /** A whole utterance at once. */
  decode(pcm: Int16Array, mean?: Float32Array): FinishedUtterance {
    this.begin(mean);
    this.feed(pcm);
    return this.finish();
  }

  /** The phones of a dictionary word's first pronunciation (`T R IH P AH L`), or undefined. */
  pronunciation(word: string): string | undefined {
    return (this.#b.ps_lookup_word(this.#live(), word) as string | null) ?? undefined;
  }

  /**
   * Adds words for the rest of this decoder's life (the library cannot take them out): their
   * pronunciations to the dictionary, reloaded from a copy of the model's with them appended, and each
   * base word (`vocab_3`, not its `vocab_3(2)`) as a unigram of `probability` in a language model of
   * their own, interpolated with the model's at `weight`. Not through ps_add_word: adding a word to
   * this library's language model itself corrupts it (the decoder crashes scoring later audio).
   */
  addWords(words: readonly { word: string; phones: string }[], model: { probability: number; weight: number }): void {
    const ps = this.#live();
    if (this.#inUtterance) this.abort();
    const lmset = this.#b.ps_get_lm(ps, DEFAULT_SEARCH);
    if (!lmset) throw new Error('the decoder has no language model to add words to');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'decoder-vocabulary-'));
    try {
      const lmFile = path.join(dir, 'vocabulary.lm');
      fs.writeFileSync(lmFile, unigramModel([...new Set(words.map((w) => baseWord(w.word)))], model.probability));
      const dictFile = path.join(dir, 'vocabulary.dict');
      fs.copyFileSync(this.#paths.dict, dictFile);
      fs.appendFileSync(dictFile, `\n${words.map((w) => `${w.word} ${w.phones}`).join('\n')}\n`);
      const lm = this.#b.ngram_model_read(null, lmFile, NGRAM_ARPA, this.#logmath);
      if (!lm) throw new Error('PocketSphinx could not read the vocabulary language model');
      // The search has scaled its model's scores by its language weight; the new model must match.
      const logWip = [0];
      const weight = this.#b.ngram_model_get_weights(lmset, logWip) as number;
      this.#b.ngram_model_apply_weights(lm, weight, this.#b.logmath_exp(this.#logmath, logWip[0]));
      // The set takes the model; its weight is divided by the number of models (now 2).
      this.#b.ngram_model_set_add(lmset, lm, 'vocabulary', model.weight * 2, 0);
      this.#b.ngram_model_set_interp(lmset, null, null);
      if ((this.#b.ps_load_dict(ps, dictFile, this.#paths.fdict, null) as number) < 0) {
        throw new Error('PocketSphinx could not load the dictionary with the vocabulary words');
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  free(): void {
    if (this.#ps) this.#b.ps_free(this.#ps);
    this.#ps = null;
    this.#inUtterance = false;
  }

  #process(pcm: Int16Array): void {
    if (this.#b.ps_process_raw(this.#live(), pcm, pcm.length, 0, 0) < 0) throw new Error('ps_process_raw failed');
  }

  #live(): unknown {
    if (!this.#ps) throw new Error('decoder already freed');
    return this.#ps;
  }

  #words(ps: unknown): DecodedWord[] {
    const words: DecodedWord[] = [];
    const sf = [0];
    const ef = [0];
    const unused = [0];
    // The iterator frees itself when ps_seg_next returns NULL, so it is always run to the end.
    for (let seg = this.#b.ps_seg_iter(ps, null); seg; seg = this.#b.ps_seg_next(seg)) {
      const word = this.#b.ps_seg_word(seg) as string;
      if (isFiller(word)) continue;
      this.#b.ps_seg_frames(seg, sf, ef);
      const logProb = this.#b.ps_seg_prob(seg, unused, unused, unused) as number;
      const confidence = Math.min(1, Math.max(0, this.#b.logmath_exp(this.#logmath, logProb) as number));
      words.push({ word: baseWord(word), startFrame: sf[0], endFrame: ef[0], confidence });
    }
    return words;
  }
}
