import { createRequire } from 'node:module';
import path from 'node:path';

/** Where the engine and its models live. Every path can be overridden for other installs. */
export interface DecoderPaths {
  /** A directory holding libpocketsphinx.so.3 / libsphinxbase.so.3, or a path to libpocketsphinx.so.3; unset: the system's loader path. */
  library?: string;
  /** Acoustic model directory: the 8 kHz telephone model, because AudioHook audio is 8 kHz. */
  hmm: string;
  lm: string;
  dict: string;
  /** Filler (noise) dictionary belonging to the acoustic model. */
  fdict: string;
  /** More decoder arguments (`-name value` pairs), overriding the defaults: tuning without a code change. */
  extraArguments?: string[];
}

const DEBIAN_MODEL = '/usr/share/pocketsphinx/model/en-us';

/** The 8 kHz telephone acoustic model ships inside the `soundswallower` npm package. */
function soundswallowerModel(): string {
  // soundswallower is ESM-only, but its `node` export condition lets require.resolve find it.
  const entry = createRequire(import.meta.url).resolve('soundswallower');
  return path.join(path.dirname(entry), 'model', 'en-us');
}

export function decoderPathsFromEnv(env: NodeJS.ProcessEnv = process.env): DecoderPaths {
  const hmm = env.POCKETSPHINX_HMM || soundswallowerModel();
  return {
    library: env.POCKETSPHINX_LIBRARY || undefined,
    hmm,
    lm: env.POCKETSPHINX_LM || path.join(DEBIAN_MODEL, 'en-us.lm.bin'),
    dict: env.POCKETSPHINX_DICT || path.join(DEBIAN_MODEL, 'cmudict-en-us.dict'),
    fdict: env.POCKETSPHINX_FDICT || path.join(hmm, 'noisedict.txt'),
    extraArguments: env.POCKETSPHINX_ARGS?.trim() ? env.POCKETSPHINX_ARGS.trim().split(/\s+/) : undefined,
  };
}

/** Search mode: the large-vocabulary language model, or a JSGF grammar of expected phrases. */
export type DecoderSearch = { kind: 'lm' } | { kind: 'jsgf'; grammar: string };

/**
 * Command-line arguments for ps_init. The 8 kHz model keeps its front-end settings in
 * feat_params.json, which this version of the engine cannot read, so they are spelled out here.
 */
export function decoderArguments(paths: DecoderPaths, search: DecoderSearch = { kind: 'lm' }): string[] {
  const args = [
    '-hmm',
    paths.hmm,
    '-fdict',
    paths.fdict,
    '-dict',
    paths.dict,
    '-samprate',
    '8000',
    '-nfft',
    '256',
    '-lowerf',
    '130',
    '-upperf',
    '3700',
    '-nfilt',
    '20',
    '-transform',
    'dct',
    '-lifter',
    '22',
    '-feat',
    '1s_c_d_dd',
    '-svspec',
    '0-12/13-25/26-38',
    // Live CMN, not the doc's `batch` (= the model JSON's `current`, an alias): batch needs a segment's
    // whole audio before decoding can start, so its final would come a full decode (≈0.25 × segment
    // length) after the segment ends instead of one end-of-utterance pass. Measured on the sample call:
    // batch 9.0 % WER, live with each speaker's mean carried over (cepstral-mean.ts) 10.3 %.
    '-cmn',
    'live',
    '-varnorm',
    'no',
    // The segmenter has already cut out the silence; the engine's own voice detection would drop frames
    // and shift word times off the segment's timeline.
    '-remove_silence',
    'no',
    // No second (flat-lexicon) pass: it runs over the whole utterance after it ends, so it was most of
    // the wait for a final. Measured with live CMN on two synthetic calls: WER 7.6 → 7.6 % and
    // 16.0 → 16.6 %, end-of-utterance time p50 614 → 161 ms, decoder time −30 %. The lattice pass
    // (-bestpath) stays: it is worth 3.4 WER points and gives the word confidences.
    '-fwdflat',
    'no',
    '-logfn',
    '/dev/null',
  ];
  if (search.kind === 'lm') args.push('-lm', paths.lm);
  const extra = paths.extraArguments ?? [];
  if (extra.length % 2 !== 0) throw new Error(`decoder arguments must be -name value pairs: ${extra.join(' ')}`);
  for (let i = 0; i < extra.length; i += 2) {
    const at = args.indexOf(extra[i]);
    if (at >= 0) args[at + 1] = extra[i + 1];
    else args.push(extra[i], extra[i + 1]);
  }
  return args;
}
