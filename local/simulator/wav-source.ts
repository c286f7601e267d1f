import { readFileSync } from 'node:fs';
import wavefile from 'wavefile';
import type { AudioHookChannel } from '#core/domain/participant.ts';
import { encodeMulaw } from '#gateway/audio/mulaw.ts';
import { AUDIOHOOK_SAMPLE_RATE, samplesToMs } from '#gateway/audio/timeline.ts';

const { WaveFile } = wavefile;

/** A recording turned into what an AudioHook client would stream. */
export interface CallAudio {
  channels: 1 | 2;
  sampleRate: 8000;
  /** G.711 µ-law; stereo is interleaved with the customer (external) first, the agent (internal) second. */
  mulaw: Uint8Array;
  durationMs: number;
}

const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
const FORMAT_ALAW = 6;
const FORMAT_MULAW = 7;
const FORMAT_EXTENSIBLE = 0xfffe;

/** The parts of wavefile's untyped `fmt` object read here. */
interface WavFmt {
  audioFormat: number;
  numChannels: number;
  sampleRate: number;
  bitsPerSample: number;
  subformat: number[];
}

/** The header as parsed; copied because wavefile empties its `fmt` object when it re-encodes. */
interface WavHeader {
  format: number;
  numChannels: number;
  sampleRate: number;
  bitsPerSample: number;
}

type WaveFileInstance = InstanceType<typeof WaveFile>;

/**
 * Loads a WAV recording (PCM 8–32 bit, float, A-law or µ-law; any rate; any channel count) as 8 kHz
 * µ-law. The first channel is the customer and the second the agent; further channels are
 * ignored and a mono file stays mono.
 */
export function loadCallAudio(source: string | Uint8Array): CallAudio {
  const label = typeof source === 'string' ? source : 'WAV buffer';
  const wav = parse(typeof source === 'string' ? readFileSync(source) : source, label);
  const header = headerOf(wav);
  if (header.numChannels < 1) throw new Error(`${label}: WAV file declares no channels`);
  const channels: 1 | 2 = header.numChannels >= 2 ? 2 : 1;
  let pcm = readPcm16(wav, header, channels, label);
  if (header.sampleRate !== AUDIOHOOK_SAMPLE_RATE && pcm.length > 0) {
    pcm = resample(pcm, channels, header.sampleRate);
  }
  return {
    channels,
    sampleRate: AUDIOHOOK_SAMPLE_RATE,
    mulaw: encodeMulaw(pcm),
    durationMs: samplesToMs(pcm.length / channels),
  };
}

function parse(bytes: Uint8Array, label: string): WaveFileInstance {
  try {
    return new WaveFile(bytes);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`${label}: not a readable WAV file (${reason})`, { cause: error });
  }
}

/**
 * wavefile takes the sample format from `audioFormat` alone, so it would read WAVE_FORMAT_EXTENSIBLE
 * float (what ffmpeg writes for 32-bit float) as integers; the real code is in the subformat GUID.
 */
function headerOf(wav: WaveFileInstance): WavHeader {
  const fmt = wav.fmt as WavFmt;
  const format = fmt.audioFormat === FORMAT_EXTENSIBLE ? (fmt.subformat[0] ?? 0) & 0xffff : fmt.audioFormat;
  return {
    format,
    numChannels: fmt.numChannels,
    sampleRate: fmt.sampleRate,
    bitsPerSample: fmt.bitsPerSample,
  };
}

/**
 * Interleaved PCM16 of the first `channels` channels, read from the data chunk directly: wavefile's
 * own float conversions are slow and truncate.
 */
function readPcm16(wav: WaveFileInstance, header: WavHeader, channels: 1 | 2, label: string): Int16Array {
  let { format } = header;
  let bytesPerSample = Math.ceil(header.bitsPerSample / 8);
  // wavefile expands companded data in place, leaving 16-bit PCM in the data chunk. (Not its IMA ADPCM
  // decoder: it pads every block with silence.)
  if (format === FORMAT_ALAW || format === FORMAT_MULAW) {
    if (format === FORMAT_ALAW) wav.fromALaw();
    else wav.fromMuLaw();
    format = FORMAT_PCM;
    bytesPerSample = 2;
  }
  const read = sampleReader(format, bytesPerSample, wav.container === 'RIFX');
  if (read === null) {
    throw new Error(`${label}: unsupported WAV encoding (format 0x${format.toString(16)}, ${header.bitsPerSample} bits)`);
  }
  const raw = (wav.data as { samples: Uint8Array }).samples;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const stride = bytesPerSample * header.numChannels;
  const frames = Math.floor(raw.byteLength / stride);
  const out = new Int16Array(frames * channels);
  for (let f = 0, o = 0; f < frames; f++) {
    for (let c = 0; c < channels; c++) out[o++] = read(view, f * stride + c * bytesPerSample);
  }
  return out;
}

type SampleReader = (view: DataView, offset: number) => number;

/** Reads one sample scaled to PCM16 (rounded, clipped; WAV integers are left-justified). */
function sampleReader(format: number, bytes: number, bigEndian: boolean): SampleReader | null {
  const le = !bigEndian;
  if (format === FORMAT_PCM) {
    switch (bytes) {
      case 1: // 8-bit WAV is the one unsigned format
        return (v, o) => (v.getUint8(o) - 128) << 8;
      case 2:
        return (v, o) => v.getInt16(o, le);
      case 3:
        return (v, o) => {
          const high = v.getInt8(le ? o + 2 : o);
          const rest = le ? v.getUint16(o, true) : v.getUint16(o + 1, false);
          return clip16(((high << 16) | rest) / 256);
        };
      case 4:
        return (v, o) => clip16(v.getInt32(o, le) / 65536);
    }
  } else if (format === FORMAT_FLOAT) {
    if (bytes === 4) return (v, o) => clip16(v.getFloat32(o, le) * 32768);
    if (bytes === 8) return (v, o) => clip16(v.getFloat64(o, le) * 32768);
  }
  return null;
}

function clip16(x: number): number {
  const r = Math.round(x);
  // NaN fails both comparisons and is stored as 0 by the Int16Array.
  return r > 32767 ? 32767 : r < -32768 ? -32768 : r;
}

/**
 * wavefile's windowed-sinc interpolation behind its default zero-phase Butterworth low-pass at 4 kHz.
 * Measured on tones resampled to 8 kHz: from 16 kHz and above, SNR ≥ 45 dB and flat amplitude up to
 * 3.4 kHz, aliases of 4.5 kHz and higher ≤ −69 dB. Cubic is as fast but only reaches 28 dB at 3.4 kHz
 * from 16 kHz (the telephone band's top edge), below µ-law's own ~38 dB. 16-bit in and out because
 * wavefile packs float samples several times slower.
 */
function resample(pcm: Int16Array, channels: 1 | 2, rate: number): Int16Array {
  const wav = new WaveFile();
  wav.fromScratch(channels, rate, '16', pcm);
  wav.toSampleRate(AUDIOHOOK_SAMPLE_RATE, { method: 'sinc' });
  return wav.getSamples(true, Int16Array) as unknown as Int16Array;
}

/**
 * Cuts interleaved µ-law into frames of about `frameMs` (whole sample groups); the last frame may be
 * shorter. Frames are views into `mulaw`, not copies.
 */
export function* interleaveFrames(mulaw: Uint8Array, channels: 1 | 2, frameMs = 200): Generator<Uint8Array, void, undefined> {
  if (!(frameMs > 0)) throw new RangeError(`interleaveFrames: frameMs must be positive, got ${frameMs}`);
  const samplesPerFrame = Math.max(1, Math.round((frameMs * AUDIOHOOK_SAMPLE_RATE) / 1000));
  const frameBytes = samplesPerFrame * channels;
  const end = mulaw.length - (mulaw.length % channels);
  for (let offset = 0; offset < end; offset += frameBytes) {
    yield mulaw.subarray(offset, Math.min(offset + frameBytes, end));
  }
}

/**
 * The audio laid out for the channels the server accepted in `opened`: swapped for
 * `["internal","external"]`, one channel picked for a mono selection. A mono recording has no second
 * party, so it can only be sent on one channel.
 */
export function arrangeChannels(audio: CallAudio, negotiated: readonly AudioHookChannel[]): Uint8Array {
  const { mulaw } = audio;
  if (negotiated.length === 1 && audio.channels === 1) return mulaw;
  if (audio.channels !== 2 || (negotiated.length !== 1 && negotiated.length !== 2)) {
    throw new RangeError(`arrangeChannels: cannot send ${audio.channels}-channel audio as [${negotiated.join(', ')}]`);
  }
  const samples = mulaw.length >>> 1;
  // Source order is external then internal.
  const sourceIndex = negotiated.map((channel) => (channel === 'external' ? 0 : 1));
  if (sourceIndex.length === 2 && sourceIndex[0] === 0 && sourceIndex[1] === 1) return mulaw;
  const out = new Uint8Array(samples * sourceIndex.length);
  for (let c = 0; c < sourceIndex.length; c++) {
    const from = sourceIndex[c];
    for (let i = 0, o = c; i < samples; i++, o += sourceIndex.length) out[o] = mulaw[(i << 1) + from];
  }
  return out;
}
