import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SpeakerStream } from '#bench/support/real-speech.ts';
import { loadIvrPrompts, loadRealSpeech, PAUSE_SAMPLES, scoreClips, throughLine } from '#bench/support/real-speech.ts';
import { MULAW_DECODE_TABLE } from '#gateway/audio/mulaw.ts';
import { normalizeWords } from '#gateway/recognition/embedded/engine-words.ts';
import type { RecognitionResult } from '#gateway/recognition/recognizer.ts';

/** The real-speech evaluation set (bench/support/real-speech.ts), read from the Debian package setup installs. */

describe('the real-speech set', () => {
  const streams = loadRealSpeech();

  it('is three speakers, eleven clips and 96 reference words', () => {
    expect(streams.map((s) => [s.speaker, s.clips.length])).toEqual([
      ['librivox', 5],
      ['goforward', 1],
      ['cards', 5],
    ]);
    const words = streams.flatMap((s) => s.clips).reduce((n, c) => n + normalizeWords(c.text).length, 0);
    expect(words).toBe(96);
  });

  it('is 8 kHz µ-law audio, each clip between pauses of silence', () => {
    for (const stream of streams) {
      const codes = new Set(MULAW_DECODE_TABLE);
      expect(stream.pcm.every((s) => codes.has(s))).toBe(true);
      let expectedStart = PAUSE_SAMPLES;
      for (const clip of stream.clips) {
        expect(clip.startSample).toBe(expectedStart);
        const seconds = (clip.endSample - clip.startSample) / 8000;
        // The package's clips last 1.1–7.1 s (16 kHz): the same duration at half the rate.
        expect(seconds).toBeGreaterThan(1);
        expect(seconds).toBeLessThan(7.2);
        expect(stream.pcm.subarray(clip.startSample - PAUSE_SAMPLES, clip.startSample).every((s) => s === 0)).toBe(true);
        const speech = stream.pcm.subarray(clip.startSample, clip.endSample);
        const rms = Math.sqrt(speech.reduce((sum, s) => sum + s * s, 0) / speech.length);
        expect(rms, clip.id).toBeGreaterThan(100);
        expectedStart = clip.endSample + PAUSE_SAMPLES;
      }
      expect(stream.pcm.length).toBe(expectedStart);
    }
  });

  it('names the package to install when the recordings are missing', () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'real-speech-'));
    expect(() => loadRealSpeech(empty)).toThrow(/apt-get install pocketsphinx-testdata/);
  });
});

describe('the IVR prompt set', () => {
  const [stream] = loadIvrPrompts();

  it('is one speaker, 28 prompts and 514 reference words read from the package', () => {
    expect(stream.speaker).toBe('allison');
    expect(stream.clips).toHaveLength(28);
    expect(stream.clips.reduce((n, c) => n + normalizeWords(c.text).length, 0)).toBe(514);
    expect(stream.clips[0]).toMatchObject({ id: 'agent-alreadyon', text: expect.stringMatching(/^That agent is already logged on\./) });
    for (const clip of stream.clips) {
      expect(clip.text, clip.id).not.toMatch(/[0-9[\]]/);
      const speech = stream.pcm.subarray(clip.startSample, clip.endSample);
      const rms = Math.sqrt(speech.reduce((sum, s) => sum + s * s, 0) / speech.length);
      expect(rms, clip.id).toBeGreaterThan(100);
    }
  });

  it('names both packages to install when the recordings or their texts are missing', () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'ivr-prompts-'));
    expect(() => loadIvrPrompts(empty)).toThrow(/apt-get install asterisk-core-sounds-en-wav asterisk-core-sounds-en`/);
    expect(() => loadIvrPrompts(undefined, path.join(empty, 'core-sounds-en.txt.gz'))).toThrow(/core-sounds-en\.txt\.gz/);
  });
});

describe('throughLine', () => {
  const [stream] = loadRealSpeech();
  const dbfs = (pcm: Int16Array) => 20 * Math.log10(Math.sqrt(pcm.reduce((sum, s) => sum + s * s, 0) / pcm.length) / 32768);
  const firstClip = (s: SpeakerStream) => s.pcm.subarray(s.clips[0].startSample, s.clips[0].endSample);

  it('adds hiss at the asked level everywhere, pauses included, the same every time', () => {
    const noisy = throughLine(stream, { noiseDb: -45 });
    expect(noisy.clips).toBe(stream.clips);
    expect(noisy.pcm).toHaveLength(stream.pcm.length);
    expect(dbfs(noisy.pcm.subarray(0, PAUSE_SAMPLES))).toBeCloseTo(-45, 0);
    expect(throughLine(stream, { noiseDb: -45 }).pcm).toEqual(noisy.pcm);
    const codes = new Set(MULAW_DECODE_TABLE);
    expect(noisy.pcm.every((s) => codes.has(s))).toBe(true);
  });

  it('attenuates the speech by the gain, leaving digital silence silent', () => {
    const quiet = throughLine(stream, { gainDb: -20 });
    expect(dbfs(firstClip(quiet)) - dbfs(firstClip(stream))).toBeCloseTo(-20, 0);
    expect(quiet.pcm.subarray(0, PAUSE_SAMPLES).every((s) => s === 0)).toBe(true);
  });
});

describe('scoreClips', () => {
  const stream: SpeakerStream = {
    speaker: 'test',
    pcm: new Int16Array(0),
    clips: [
      { id: 'a', text: 'ten of clubs', startSample: 8_000, endSample: 16_000 },
      { id: 'b', text: 'five five', startSample: 28_000, endSample: 36_000 },
    ],
  };
  const result = (text: string, startMs: number, endMs: number): RecognitionResult => ({ role: 'customer', text, startMs, endMs });

  it('gives each result to the clip its middle falls in, in order', () => {
    const scores = scoreClips(stream, [result('ten of', 1_000, 1_500), result('clubs', 1_500, 1_900), result('five five', 3_600, 4_400)]);
    expect(scores).toEqual([
      { id: 'a', errors: 0, referenceWords: 3, hypothesis: 'ten of clubs' },
      { id: 'b', errors: 0, referenceWords: 2, hypothesis: 'five five' },
    ]);
  });

  it('counts words recognized in a pause against the nearest clip, and missing clips as deletions', () => {
    const scores = scoreClips(stream, [result('ten of clubs', 1_000, 2_000), result('uh', 2_200, 2_400)]);
    expect(scores.map((s) => [s.id, s.errors, s.hypothesis])).toEqual([
      ['a', 1, 'ten of clubs uh'],
      ['b', 2, ''],
    ]);
  });
});
