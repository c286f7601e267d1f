import * as koffi from 'koffi';
import type { Bindings } from './pocketsphinx.ts';

/**
 * Access to a decoder's running cepstral mean (live CMN), so that it can belong to a speaker instead
 * of to a decoder.
 *
 * Decoding in real time needs live CMN: the mean is estimated as audio arrives and carried from one
 * utterance to the next. Left inside a pooled decoder it would carry one speaker's channel into another
 * speaker's next segment, and transcripts would depend on which worker got which segment. Saving it
 * after each segment and restoring it before the speaker's next one makes each speaker's transcript a
 * function of that speaker's audio alone.
 *
 * The C API has cmn_live_get/cmn_live_set but no accessor for the decoder's cmn_t, so the pointer is read
 * from feat_t (sphinxbase 5-prealpha layout), and every field read on the way is checked first.
 */

/** The cepstrum length of the 8 kHz telephone model's features. */
const CEPSTRUM_LENGTH = 13;

// The leading fields of feat_t, up to cmn_struct.
const FeatHead = koffi.struct('ps_feat_head_t', {
  refcount: 'int',
  name: 'const char *',
  cepsize: 'int32_t',
  n_stream: 'int32_t',
  stream_len: 'void *',
  window_size: 'int32_t',
  n_sv: 'int32_t',
  sv_len: 'void *',
  subvecs: 'void *',
  sv_buf: 'void *',
  sv_dim: 'int32_t',
  cmn: 'int',
  varnorm: 'int32_t',
  agc: 'int',
  compute_feat: 'void *',
  cmn_struct: 'void *',
});

const CmnStruct = koffi.struct('ps_cmn_t', {
  cmn_mean: 'void *',
  cmn_var: 'void *',
  sum: 'void *',
  nframe: 'int32_t',
  veclen: 'int32_t',
});

export class CepstralMean {
  private constructor(
    private readonly b: Bindings,
    private readonly cmn: unknown,
  ) {}

  /** Undefined when the library's layout is not the one expected: decoding still works, with shared state. */
  static of(b: Bindings, ps: unknown): CepstralMean | undefined {
    try {
      const feat = b.ps_get_feat(ps);
      if (!feat) return undefined;
      const head = koffi.decode(feat, FeatHead) as { name: string | null; cepsize: number; cmn_struct: unknown };
      if (head.cepsize !== CEPSTRUM_LENGTH || head.name !== '1s_c_d_dd' || !head.cmn_struct) return undefined;
      const cmn = koffi.decode(head.cmn_struct, CmnStruct) as { veclen: number; cmn_mean: unknown };
      if (cmn.veclen !== CEPSTRUM_LENGTH || !cmn.cmn_mean) return undefined;
      return new CepstralMean(b, head.cmn_struct);
    } catch {
      return undefined;
    }
  }

  get(): Float32Array {
    const mean = new Float32Array(CEPSTRUM_LENGTH);
    this.b.cmn_live_get(this.cmn, mean);
    return mean;
  }

  /**
   * Sets the running mean. `weightFrames` is how many frames it counts for against new audio: the
   * library's default (500, 5 s) suits a speaker's own previous mean; a weight of 1 lets the next
   * utterance's audio all but replace it.
   */
  set(mean: Float32Array, weightFrames?: number): void {
    if (mean.length !== CEPSTRUM_LENGTH) throw new RangeError(`cepstral mean must have ${CEPSTRUM_LENGTH} values`);
    this.b.cmn_live_set(this.cmn, mean);
    if (weightFrames === undefined) return;
    const state = koffi.decode(this.cmn, CmnStruct) as { sum: unknown };
    koffi.encode(
      state.sum,
      'float',
      Array.from(mean, (v) => v * weightFrames),
      CEPSTRUM_LENGTH,
    );
    koffi.encode(this.cmn, koffi.offsetof(CmnStruct, 'nframe'), 'int32_t', weightFrames);
  }
}
