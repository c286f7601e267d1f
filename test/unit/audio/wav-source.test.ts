import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitChannels } from '#gateway/audio/deinterleave.ts';
import { decodeMulaw } from '#gateway/audio/mulaw.ts';
import { arrangeChannels, interleaveFrames, loadCallAudio, type CallAudio } from '#local/simulator/wav-source.ts';
import { compressedWavBytes, extensibleWavBytes, float32Bytes, rms, sine, wavBytes, zeroCrossingsPerSecond } from './wav-fixtures.ts';

const FIXTURE = fileURLToPath(new URL('../../fixtures/audio/short-1.wav', import.meta.url));

/** Decoded PCM of each channel, with the filter's edge transients trimmed. */
function channelsOf(audio: CallAudio): Int16Array[] {
  const { channels } = splitChannels(audio.mulaw, audio.channels);
  const edge = Math.min(400, Math.floor(channels[0].length / 10));
  return channels.map((c) => c.subarray(edge, c.length - edge));
}

/** The tone is still there: right pitch (by zero crossings) and level within about 1 dB. */
function expectTone(pcm: Int16Array, hz: number, amplitude: number): void {
  expect(zeroCrossingsPerSecond(pcm, 8000)).toBeGreaterThan(2 * hz * 0.98);
  expect(zeroCrossingsPerSecond(pcm, 8000)).toBeLessThan(2 * hz * 1.02);
  expect(rms(pcm) / (amplitude / Math.SQRT2)).toBeGreaterThan(0.89);
  expect(rms(pcm) / (amplitude / Math.SQRT2)).toBeLessThan(1.12);
}

describe('loadCallAudio', () => {
  describe.each([
    // rate, bit depth, channel count
    [16_000, '16', 2],
    [44_100, '32f', 1],
    [48_000, '24', 2],
    [22_050, '8', 1],
    [8_000, '16', 2],
    [8_000, '32', 1],
    [11_025, '64', 2],
    [32_000, '16', 1],
  ] as const)('%i Hz %s-bit, %i channel(s)', (rate, bitDepth, channelCount) => {
    const tones = [1000, 400].slice(0, channelCount);
    let audio: CallAudio;
    beforeAll(() => {
      audio = loadCallAudio(
        wavBytes(
          rate,
          bitDepth,
          tones.map((hz) => sine(rate, hz, 1)),
        ),
      );
    });

    it('becomes 8 kHz µ-law of the same duration and channel count', () => {
      expect(audio.sampleRate).toBe(8000);
      expect(audio.channels).toBe(channelCount);
      expect(audio.mulaw).toBeInstanceOf(Uint8Array);
      expect(audio.mulaw.length % channelCount).toBe(0);
      expect(audio.durationMs).toBe(audio.mulaw.length / channelCount / 8);
      expect(Math.abs(audio.durationMs - 1000)).toBeLessThanOrEqual(1);
    });

    it('keeps each tone on its own channel', () => {
      channelsOf(audio).forEach((pcm, c) => expectTone(pcm, tones[c], 0.5));
    });
  });

  it('passes 8 kHz µ-law through unchanged (0x7F and 0xFF are the same silence)', () => {
    const mulaw = Uint8Array.from({ length: 4096 }, (_, i) => (i * 37) & 0xff);
    const left = Float64Array.from(decodeMulaw(mulaw.subarray(0, 2048)), (x) => x / 32767);
    const right = Float64Array.from(decodeMulaw(mulaw.subarray(2048)), (x) => x / 32767);
    const audio = loadCallAudio(compressedWavBytes(8000, [left, right], 'toMuLaw'));
    const expected = new Uint8Array(4096);
    for (let i = 0; i < 2048; i++) {
      expected[2 * i] = mulaw[i] === 0x7f ? 0xff : mulaw[i];
      expected[2 * i + 1] = mulaw[2048 + i] === 0x7f ? 0xff : mulaw[2048 + i];
    }
    expect(audio.channels).toBe(2);
    expect(Buffer.from(audio.mulaw).equals(Buffer.from(expected))).toBe(true);
  });

  it('loads 8 kHz µ-law mono', () => {
    const audio = loadCallAudio(compressedWavBytes(8000, [sine(8000, 1000, 0.5)], 'toMuLaw'));
    expect(audio.channels).toBe(1);
    expect(audio.durationMs).toBe(500);
    expectTone(channelsOf(audio)[0], 1000, 0.5);
  });

  it('loads A-law', () => {
    const audio = loadCallAudio(compressedWavBytes(8000, [sine(8000, 1000, 0.5)], 'toALaw'));
    expect(audio.durationMs).toBe(500);
    expectTone(channelsOf(audio)[0], 1000, 0.5);
  });

  it('rejects IMA ADPCM rather than decode it with gaps', () => {
    const adpcm = compressedWavBytes(8000, [sine(8000, 1000, 0.1)], 'toIMAADPCM');
    expect(() => loadCallAudio(adpcm)).toThrow(/unsupported WAV encoding \(format 0x11, 4 bits\)/);
  });

  it('loads WAVE_FORMAT_EXTENSIBLE float as float (ffmpeg pcm_f32le)', () => {
    const left = sine(16_000, 1000, 1);
    const right = sine(16_000, 400, 1, 0.25);
    const audio = loadCallAudio(extensibleWavBytes(3, 16_000, 2, 32, float32Bytes([left, right])));
    expect(audio.channels).toBe(2);
    const [customer, agent] = channelsOf(audio);
    expectTone(customer, 1000, 0.5);
    expectTone(agent, 400, 0.25);
  });

  it('loads big-endian RIFX', () => {
    const audio = loadCallAudio(wavBytes(8000, '16', [sine(8000, 1000, 0.5)], { container: 'RIFX' }));
    expectTone(channelsOf(audio)[0], 1000, 0.5);
  });

  it('keeps the first two of four channels', () => {
    const tones = [1000, 400, 2000, 250];
    const audio = loadCallAudio(
      wavBytes(
        16_000,
        '16',
        tones.map((hz) => sine(16_000, hz, 0.5)),
      ),
    );
    expect(audio.channels).toBe(2);
    expect(audio.durationMs).toBe(500);
    const [customer, agent] = channelsOf(audio);
    expectTone(customer, 1000, 0.5);
    expectTone(agent, 400, 0.5);
  });

  it('filters out what would alias: a 5 kHz tone at 16 kHz does not come back as 3 kHz', () => {
    const audio = loadCallAudio(wavBytes(16_000, '16', [sine(16_000, 5000, 1)]));
    expect(rms(channelsOf(audio)[0])).toBeLessThan(0.005); // below −40 dB of the 0.35 input
  });

  it('keeps the top of the telephone band (3.4 kHz) when downsampling', () => {
    const audio = loadCallAudio(wavBytes(44_100, '16', [sine(44_100, 3400, 1)]));
    expectTone(channelsOf(audio)[0], 3400, 0.5);
  });

  it('clips a float file that exceeds full scale instead of wrapping', () => {
    const audio = loadCallAudio(wavBytes(8000, '32f', [sine(8000, 1000, 0.5, 1.5)]));
    const pcm = channelsOf(audio)[0];
    expect(Math.max(...pcm)).toBe(32124);
    expect(Math.min(...pcm)).toBe(-32124);
    expect(zeroCrossingsPerSecond(pcm, 8000)).toBeCloseTo(2000, -2);
  });

  it('loads a WAV with no samples', () => {
    for (const rate of [8000, 16_000]) {
      const audio = loadCallAudio(wavBytes(rate, '16', [new Float64Array(0), new Float64Array(0)]));
      expect(audio).toEqual({ channels: 2, sampleRate: 8000, mulaw: new Uint8Array(0), durationMs: 0 });
    }
  });

  it('loads the test fixture from a path', () => {
    const audio = loadCallAudio(FIXTURE);
    expect(audio.channels).toBe(1);
    expect(audio.durationMs).toBeCloseTo(6414, -1);
  });

  describe('from files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wav-source-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('reads a path like a buffer', () => {
      const bytes = wavBytes(16_000, '16', [sine(16_000, 1000, 0.5), sine(16_000, 400, 0.5)]);
      const path = join(dir, 'stereo.wav');
      writeFileSync(path, bytes);
      expect(loadCallAudio(path)).toEqual(loadCallAudio(bytes));
    });

    it('names the file when it is not a WAV', () => {
      const path = join(dir, 'text.wav');
      writeFileSync(path, 'hello, this is not audio');
      expect(() => loadCallAudio(path)).toThrow(/text\.wav: not a readable WAV file/);
    });

    it('fails clearly for a missing file', () => {
      expect(() => loadCallAudio(join(dir, 'missing.wav'))).toThrow(/ENOENT/);
    });
  });

  it('rejects an encoding it cannot decode', () => {
    const mp3InWav = extensibleWavBytes(0x55, 8000, 1, 16, new Uint8Array(64));
    expect(() => loadCallAudio(mp3InWav)).toThrow(/unsupported WAV encoding \(format 0x55/);
  });

  it('rejects garbage', () => {
    expect(() => loadCallAudio(new Uint8Array(100))).toThrow(/WAV buffer: not a readable WAV file/);
    expect(() => loadCallAudio(new Uint8Array(0))).toThrow(/not a readable WAV file/);
  });

  it('does not modify the buffer it is given', () => {
    const bytes = compressedWavBytes(8000, [sine(8000, 1000, 0.1)], 'toALaw');
    const copy = bytes.slice();
    loadCallAudio(bytes);
    expect(Buffer.from(bytes).equals(Buffer.from(copy))).toBe(true);
  });
});

describe('interleaveFrames', () => {
  const stereo = Uint8Array.from({ length: 8000 * 2 + 6 }, (_, i) => i & 0xff); // 1 s + 3 samples

  it('cuts stereo into 200 ms frames of 3,200 bytes and a shorter last frame', () => {
    const frames = [...interleaveFrames(stereo, 2)];
    expect(frames.map((f) => f.length)).toEqual([3200, 3200, 3200, 3200, 3200, 6]);
    expect(Buffer.concat(frames).equals(Buffer.from(stereo))).toBe(true);
  });

  it('yields views, not copies', () => {
    const [first, second] = interleaveFrames(stereo, 2);
    expect(first.buffer).toBe(stereo.buffer);
    expect(second.byteOffset).toBe(stereo.byteOffset + 3200);
  });

  it.each([
    [1, 200, 1600],
    [2, 20, 320],
    [2, 100, 1600],
    [1, 0.1, 1],
    [2, 0.0001, 2],
    [2, 33.3, 532],
  ] as const)('with %i channel(s) and %d ms frames, yields %i-byte frames', (channels, frameMs, bytes) => {
    const [first] = interleaveFrames(stereo, channels, frameMs);
    expect(first.length).toBe(bytes);
  });

  it('yields only whole sample groups, dropping a stray trailing byte', () => {
    const odd = new Uint8Array(3201);
    expect([...interleaveFrames(odd, 2)].map((f) => f.length)).toEqual([3200]);
  });

  it('yields nothing for empty audio', () => {
    expect([...interleaveFrames(new Uint8Array(0), 2)]).toEqual([]);
  });

  it.each([0, -20, Number.NaN])('rejects a frame length of %d ms', (frameMs) => {
    expect(() => [...interleaveFrames(stereo, 2, frameMs)]).toThrow(RangeError);
  });
});

describe('arrangeChannels', () => {
  const customer = Uint8Array.of(1, 2, 3);
  const agent = Uint8Array.of(11, 12, 13);
  const stereo: CallAudio = {
    channels: 2,
    sampleRate: 8000,
    mulaw: Uint8Array.of(1, 11, 2, 12, 3, 13),
    durationMs: 0.375,
  };
  const mono: CallAudio = { channels: 1, sampleRate: 8000, mulaw: customer, durationMs: 0.375 };

  it('keeps ["external","internal"] as loaded', () => {
    expect(arrangeChannels(stereo, ['external', 'internal'])).toBe(stereo.mulaw);
  });

  it('swaps for ["internal","external"]', () => {
    expect([...arrangeChannels(stereo, ['internal', 'external'])]).toEqual([11, 1, 12, 2, 13, 3]);
  });

  it('picks one party for a mono selection', () => {
    expect([...arrangeChannels(stereo, ['external'])]).toEqual([...customer]);
    expect([...arrangeChannels(stereo, ['internal'])]).toEqual([...agent]);
  });

  it('sends a mono recording on whichever single channel was chosen', () => {
    expect(arrangeChannels(mono, ['external'])).toBe(mono.mulaw);
    expect(arrangeChannels(mono, ['internal'])).toBe(mono.mulaw);
  });

  it('refuses to make a second party out of a mono recording', () => {
    expect(() => arrangeChannels(mono, ['external', 'internal'])).toThrow(RangeError);
    expect(() => arrangeChannels(stereo, [])).toThrow(RangeError);
  });

  it('makes frames the gateway splits back into the right roles', () => {
    const audio = loadCallAudio(wavBytes(8000, '16', [sine(8000, 1000, 0.2), sine(8000, 400, 0.2)]));
    const swapped = arrangeChannels(audio, ['internal', 'external']);
    const [first] = interleaveFrames(swapped, 2);
    const { channels } = splitChannels(first, 2);
    expect(channels[1]).toEqual(decodeMulaw(arrangeChannels(audio, ['external'])));
    expect(channels[0]).toEqual(decodeMulaw(arrangeChannels(audio, ['internal'])));
  });
});
