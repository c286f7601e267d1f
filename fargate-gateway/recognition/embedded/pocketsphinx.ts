import fs from 'node:fs';
import path from 'node:path';
import * as koffi from 'koffi';

/**
 * koffi binding to the PocketSphinx 0.8 / 5-prealpha C API (Debian's libpocketsphinx3 and
 * libsphinxbase3). Loaded inside decoder worker threads only.
 */

export const INSTALL_COMMAND = 'sudo apt-get install -y libpocketsphinx3 pocketsphinx-en-us';

/** The engine or its models cannot be used on this machine; the message says what to install. */
export class PocketSphinxUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PocketSphinxUnavailableError';
  }
}

type Fn = ReturnType<koffi.LibraryHandle['func']>;

export interface Bindings {
  ps_args: Fn;
  cmd_ln_parse_r: Fn;
  cmd_ln_free_r: Fn;
  ps_init: Fn;
  ps_free: Fn;
  ps_start_stream: Fn;
  ps_start_utt: Fn;
  ps_end_utt: Fn;
  ps_process_raw: Fn;
  ps_get_hyp: Fn;
  ps_get_in_speech: Fn;
  ps_seg_iter: Fn;
  ps_seg_next: Fn;
  ps_seg_word: Fn;
  ps_seg_frames: Fn;
  ps_seg_prob: Fn;
  ps_get_logmath: Fn;
  logmath_exp: Fn;
  ps_set_jsgf_string: Fn;
  ps_set_search: Fn;
  ps_get_feat: Fn;
  cmn_live_get: Fn;
  cmn_live_set: Fn;
  ps_lookup_word: Fn;
  ps_load_dict: Fn;
  ps_get_lm: Fn;
  ngram_model_read: Fn;
  ngram_model_get_weights: Fn;
  ngram_model_apply_weights: Fn;
  ngram_model_set_add: Fn;
  ngram_model_set_interp: Fn;
}

const LIBRARY = 'libpocketsphinx.so.3';
const BASE_LIBRARY = 'libsphinxbase.so.3';
const cache = new Map<string, Bindings>();

export function unavailable(what: string, cause?: unknown): PocketSphinxUnavailableError {
  return new PocketSphinxUnavailableError(
    `${what}. The embedded speech engine needs the Debian packages libpocketsphinx3 and pocketsphinx-en-us: ` +
      `run \`${INSTALL_COMMAND}\` (or \`npm run setup\`).`,
    { cause },
  );
}

function tryLoad(name: string): koffi.LibraryHandle | undefined {
  try {
    return koffi.load(name);
  } catch {
    return undefined;
  }
}

/** Resolves `library` (unset, a directory or a file) to the two libraries to dlopen. */
function libraryFiles(library: string | undefined): { ps: string; base: string } {
  if (!library) return { ps: LIBRARY, base: BASE_LIBRARY };
  const isDir = fs.existsSync(library) && fs.statSync(library).isDirectory();
  const dir = isDir ? library : path.dirname(library);
  const ps = isDir ? path.join(library, LIBRARY) : library;
  if (!fs.existsSync(ps)) throw unavailable(`${ps} does not exist`);
  const base = path.join(dir, BASE_LIBRARY);
  return { ps, base: fs.existsSync(base) ? base : BASE_LIBRARY };
}

/**
 * Loads the 0.8/5-prealpha C API. Releases after Debian trixie ship libpocketsphinx.so.5, whose
 * configuration API is different; say so rather than crash on a missing symbol.
 */
export function loadBindings(library?: string): Bindings {
  const key = library ?? '';
  const hit = cache.get(key);
  if (hit) return hit;
  const files = libraryFiles(library);
  let ps: koffi.LibraryHandle;
  try {
    ps = koffi.load(files.ps);
  } catch (cause) {
    if (!library && tryLoad('libpocketsphinx.so.5')) {
      throw unavailable(
        'Only libpocketsphinx.so.5 (PocketSphinx 5.x, an incompatible API) is installed, not libpocketsphinx.so.3 ' +
          '(packaged up to Debian 13 "trixie")',
        cause,
      );
    }
    throw unavailable(`Cannot load ${files.ps}`, cause);
  }
  let base: koffi.LibraryHandle;
  try {
    base = koffi.load(files.base);
  } catch (cause) {
    throw unavailable(`Cannot load ${files.base}`, cause);
  }
  let bindings: Bindings;
  try {
    bindings = {
      ps_args: ps.func('void *ps_args(void)'),
      cmd_ln_parse_r: base.func('void *cmd_ln_parse_r(void *inout, void *defn, int32_t argc, const char **argv, int32_t strict)'),
      cmd_ln_free_r: base.func('int cmd_ln_free_r(void *config)'),
      ps_init: ps.func('void *ps_init(void *config)'),
      ps_free: ps.func('int ps_free(void *ps)'),
      ps_start_stream: ps.func('int ps_start_stream(void *ps)'),
      ps_start_utt: ps.func('int ps_start_utt(void *ps)'),
      ps_end_utt: ps.func('int ps_end_utt(void *ps)'),
      ps_process_raw: ps.func('int ps_process_raw(void *ps, const int16_t *data, size_t n, int no_search, int full_utt)'),
      ps_get_hyp: ps.func('const char *ps_get_hyp(void *ps, _Out_ int32_t *score)'),
      ps_get_in_speech: ps.func('uint8_t ps_get_in_speech(void *ps)'),
      // 0.8 takes an out_best_score pointer, 5-prealpha does not: passing NULL suits both (an unused
      // register argument is harmless in the x86-64 / AArch64 calling conventions).
      ps_seg_iter: ps.func('void *ps_seg_iter(void *ps, void *unused)'),
      ps_seg_next: ps.func('void *ps_seg_next(void *seg)'),
      ps_seg_word: ps.func('const char *ps_seg_word(void *seg)'),
      ps_seg_frames: ps.func('void ps_seg_frames(void *seg, _Out_ int *sf, _Out_ int *ef)'),
      ps_seg_prob: ps.func('int32_t ps_seg_prob(void *seg, _Out_ int32_t *ascr, _Out_ int32_t *lscr, _Out_ int32_t *lback)'),
      ps_get_logmath: ps.func('void *ps_get_logmath(void *ps)'),
      logmath_exp: base.func('double logmath_exp(void *lmath, int32_t logb_p)'),
      ps_set_jsgf_string: ps.func('int ps_set_jsgf_string(void *ps, const char *name, const char *jsgf)'),
      ps_set_search: ps.func('int ps_set_search(void *ps, const char *name)'),
      ps_get_feat: ps.func('void *ps_get_feat(void *ps)'),
      cmn_live_get: base.func('void cmn_live_get(void *cmn, _Out_ float *vec)'),
      cmn_live_set: base.func('void cmn_live_set(void *cmn, const float *vec)'),
      // The phones of a dictionary word, in a string the library allocates and the caller frees.
      ps_lookup_word: ps.func('ps_lookup_word', koffi.disposable('str'), ['void *', 'const char *']),
      ps_load_dict: ps.func('int ps_load_dict(void *ps, const char *dictfile, const char *fdictfile, const char *format)'),
      ps_get_lm: ps.func('void *ps_get_lm(void *ps, const char *name)'),
      ngram_model_read: base.func('void *ngram_model_read(void *config, const char *file_name, int file_type, void *lmath)'),
      ngram_model_get_weights: base.func('float ngram_model_get_weights(void *model, _Out_ int32_t *out_log_wip)'),
      ngram_model_apply_weights: base.func('int ngram_model_apply_weights(void *model, float lw, float wip)'),
      ngram_model_set_add: base.func('void *ngram_model_set_add(void *set, void *model, const char *name, float weight, int reuse_widmap)'),
      ngram_model_set_interp: base.func('void *ngram_model_set_interp(void *set, const char **names, const float *weights)'),
    };
  } catch (cause) {
    throw unavailable(`${files.ps} does not have the PocketSphinx 0.8 / 5-prealpha API`, cause);
  }
  cache.set(key, bindings);
  return bindings;
}
