import wavefile from 'wavefile';

const { WaveFile } = wavefile;

/** A sine at `amplitude` of full scale (1.0), as floats. */
export function sine(rate: number, hz: number, seconds: number, amplitude = 0.5): Float64Array {
  const n = Math.round(rate * seconds);
  return Float64Array.from({ length: n }, (_, i) => amplitude * Math.sin((2 * Math.PI * hz * i) / rate));
}

/** Scales float samples to the integer range (or byte codes) wavefile expects for `bitDepth`. */
function toDepth(samples: Float64Array, bitDepth: string): Float64Array {
  if (bitDepth === '32f' || bitDepth === '64') return samples;
  if (bitDepth === '8') return samples.map((x) => Math.round(x * 127) + 128);
  const full = 2 ** (Number(bitDepth) - 1);
  return samples.map((x) => Math.round(x * (full - 1)));
}

/** A WAV file built by wavefile itself from per-channel float samples. */
export function wavBytes(rate: number, bitDepth: string, channels: Float64Array[], options?: { container: 'RIFX' }): Uint8Array {
  const wav = new WaveFile();
  const scaled = channels.map((c) => toDepth(c, bitDepth));
  wav.fromScratch(channels.length, rate, bitDepth, scaled.length === 1 ? scaled[0] : scaled, options);
  return wav.toBuffer();
}

/** A compressed WAV (`toMuLaw`, `toALaw`, `toIMAADPCM`) from 16-bit PCM via wavefile. */
export function compressedWavBytes(rate: number, channels: Float64Array[], compress: 'toMuLaw' | 'toALaw' | 'toIMAADPCM'): Uint8Array {
  const wav = new WaveFile();
  const scaled = channels.map((c) => toDepth(c, '16'));
  wav.fromScratch(channels.length, rate, '16', scaled.length === 1 ? scaled[0] : scaled);
  wav[compress]();
  return wav.toBuffer();
}

/**
 * A WAVE_FORMAT_EXTENSIBLE file (what ffmpeg writes for float and for more than 16 bits), built by
 * hand because wavefile only writes it for odd bit depths. `data` is the interleaved data chunk.
 */
export function extensibleWavBytes(subformat: number, rate: number, channels: number, bits: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + 8 + 40 + 8 + data.length);
  const v = new DataView(out.buffer);
  const ascii = (at: number, s: string) => [...s].forEach((ch, i) => v.setUint8(at + i, ch.charCodeAt(0)));
  ascii(0, 'RIFF');
  v.setUint32(4, out.length - 8, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  v.setUint32(16, 40, true);
  const blockAlign = (channels * bits) / 8;
  v.setUint16(20, 0xfffe, true);
  v.setUint16(22, channels, true);
  v.setUint32(24, rate, true);
  v.setUint32(28, rate * blockAlign, true);
  v.setUint16(32, blockAlign, true);
  v.setUint16(34, bits, true);
  v.setUint16(36, 22, true);
  v.setUint16(38, bits, true);
  v.setUint32(40, channels === 2 ? 3 : 4, true);
  // KSDATAFORMAT_SUBTYPE_*: the format code followed by the fixed GUID tail.
  v.setUint32(44, subformat, true);
  out.set([0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71], 48);
  ascii(60, 'data');
  v.setUint32(64, data.length, true);
  out.set(data, 68);
  return out;
}

/** Interleaved little-endian float32 bytes of per-channel samples. */
export function float32Bytes(channels: Float64Array[]): Uint8Array {
  const n = channels[0].length;
  const v = new DataView(new ArrayBuffer(n * channels.length * 4));
  for (let i = 0; i < n; i++) {
    channels.forEach((c, k) => v.setFloat32((i * channels.length + k) * 4, c[i], true));
  }
  return new Uint8Array(v.buffer);
}

/** Sign changes per second: 2 × the frequency of a pure tone. */
export function zeroCrossingsPerSecond(pcm: Int16Array, rate: number): number {
  let crossings = 0;
  let previous = 0;
  for (const x of pcm) {
    if (x === 0) continue;
    const sign = x > 0 ? 1 : -1;
    if (previous !== 0 && sign !== previous) crossings++;
    previous = sign;
  }
  return (crossings * rate) / pcm.length;
}

/** RMS relative to full scale (a full-scale sine is about 0.707). */
export function rms(pcm: Int16Array): number {
  let sum = 0;
  for (const x of pcm) sum += x * x;
  return pcm.length === 0 ? 0 : Math.sqrt(sum / pcm.length) / 32768;
}
