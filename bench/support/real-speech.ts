import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import wavefile from 'wavefile';
import { decodeMulaw, encodeMulaw } from '#gateway/audio/mulaw.ts';
import type { PocketSphinxDecoder } from '#gateway/recognition/embedded/pocketsphinx-decoder.ts';
import { SegmentDecoding } from '#gateway/recognition/embedded/segment-decoding.ts';
import { wordErrors } from './word-error-rate.ts';
import type { RecognitionResult } from '#gateway/recognition/recognizer.ts';
import { loadCallAudio } from '#local/simulator/wav-source.ts';

/**
 * The real-speech evaluation sets, recordings of real people from Debian packages turned into what a
 * call's channel carries:
 * - real-speech.json: read English and spoken commands (3 speakers, 96 words), with their texts and licences;
 * - ivr-prompts.json: telephone prompts read by a voice artist (1 speaker, 514 words), whose audio and
 *   texts stay in their packages (share-alike licence): a check that a tuning for the first set holds
 *   on other speech.
 * Each speaker's clips are one stream, in order, with a pause between them, so the engine meets them as
 * it meets a caller: a new speaker's first segment, then segments that start from that speaker's own mean.
 */

interface ClipEntry {
  id: string;
  /** Under the package's directory: a WAV, or `.raw` (16 kHz, 16-bit little-endian mono, as the package's tests read it). */
  file: string;
  speaker: string;
  text: string;
}

interface SetFile {
  package: string;
  directory: string;
  clips: ClipEntry[];
}

interface PlacedClip {
  id: string;
  text: string;
  /** Where the clip lies in its speaker's stream, in 8 kHz samples. */
  startSample: number;
  endSample: number;
}

export interface SpeakerStream {
  speaker: string;
  /** 8 kHz PCM16 after a µ-law round trip, silence before, between and after the clips. */
  pcm: Int16Array;
  clips: PlacedClip[];
}

const SAMPLE_RATE = 8000;
/** Silence before the first clip, between clips and after the last; longer than any end-of-segment silence tried. */
export const PAUSE_SAMPLES = 1.5 * SAMPLE_RATE;
const RAW_SAMPLE_RATE = 16_000;

const setFile = JSON.parse(readFileSync(new URL('./real-speech.json', import.meta.url), 'utf8')) as SetFile;

interface PromptSetFile {
  packages: string[];
  directory: string;
  /** `name: text` lines, gzip-compressed. */
  texts: string;
  speaker: string;
  prompts: string[];
}

const promptFile = JSON.parse(readFileSync(new URL('./ivr-prompts.json', import.meta.url), 'utf8')) as PromptSetFile;

/** Where the recordings are: REAL_SPEECH_DIR, else where the Debian package puts them. */
function realSpeechDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return env.REAL_SPEECH_DIR || setFile.directory;
}

/** 8 kHz µ-law, as the gateway receives it, back to PCM16: the simulator's conversion of any WAV. */
function telephoneAudio(file: string): Int16Array {
  let wav: Uint8Array = readFileSync(file);
  if (file.endsWith('.raw')) {
    const samples = new Int16Array(wav.buffer, wav.byteOffset, Math.floor(wav.byteLength / 2));
    const built = new wavefile.WaveFile();
    built.fromScratch(1, RAW_SAMPLE_RATE, '16', Array.from(samples));
    wav = built.toBuffer();
  }
  return decodeMulaw(loadCallAudio(wav).mulaw);
}

/** One stream per speaker; throws with the install command when the package is missing. */
export function loadRealSpeech(directory = realSpeechDirectory()): SpeakerStream[] {
  const missing = setFile.clips.map((c) => path.join(directory, c.file)).filter((f) => !existsSync(f));
  if (missing.length) throw missingRecordings(missing, [setFile.package], 'REAL_SPEECH_DIR');
  const speakers = [...new Set(setFile.clips.map((c) => c.speaker))];
  return speakers.map((speaker) =>
    speakerStream(
      speaker,
      setFile.clips.filter((c) => c.speaker === speaker).map((c) => ({ ...c, pcm: telephoneAudio(path.join(directory, c.file)) })),
    ),
  );
}

/** The prompt set as one speaker's stream; IVR_PROMPTS_DIR / IVR_PROMPTS_TEXTS override where the packages put them. */
export function loadIvrPrompts(
  directory = process.env.IVR_PROMPTS_DIR || promptFile.directory,
  textsFile = process.env.IVR_PROMPTS_TEXTS || promptFile.texts,
): SpeakerStream[] {
  const files = promptFile.prompts.map((name) => path.join(directory, `${name}.wav`));
  const missing = [...files, textsFile].filter((f) => !existsSync(f));
  if (missing.length) throw missingRecordings(missing, promptFile.packages, 'IVR_PROMPTS_DIR and IVR_PROMPTS_TEXTS');
  const texts = new Map<string, string>();
  for (const line of gunzipSync(readFileSync(textsFile)).toString('utf8').split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith(';')) texts.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  const clips = promptFile.prompts.map((id, i) => {
    const text = texts.get(id);
    if (!text) throw new Error(`ivr-prompts: ${textsFile} has no text for ${id}`);
    return { id, text, pcm: telephoneAudio(files[i]) };
  });
  return [speakerStream(promptFile.speaker, clips)];
}

function missingRecordings(missing: string[], packages: string[], variable: string): Error {
  return new Error(
    `real-speech set: ${missing.length} files missing (${missing[0]}, …); ` +
      `install them with \`apt-get install ${packages.join(' ')}\` (npm run setup does) or set ${variable}`,
  );
}

/** The clips in order, with a pause before, between and after them. */
function speakerStream(speaker: string, sources: Array<{ id: string; text: string; pcm: Int16Array }>): SpeakerStream {
  const parts: Int16Array[] = [new Int16Array(PAUSE_SAMPLES)];
  const clips: PlacedClip[] = [];
  let at = PAUSE_SAMPLES;
  for (const { id, text, pcm } of sources) {
    clips.push({ id, text, startSample: at, endSample: at + pcm.length });
    parts.push(pcm, new Int16Array(PAUSE_SAMPLES));
    at += pcm.length + PAUSE_SAMPLES;
  }
  const pcm = new Int16Array(at);
  let offset = 0;
  for (const part of parts) {
    pcm.set(part, offset);
    offset += part.length;
  }
  return { speaker, pcm, clips };
}

/** How a line can be worse than the recordings: speech attenuated, and steady noise added. */
export interface LineCondition {
  /** Gain applied to the recording, in dB (-20: a caller far from the microphone or a faint line). */
  gainDb?: number;
  /** White noise added everywhere, pauses included, at this level in dBFS (line hiss). */
  noiseDb?: number;
}

/**
 * The stream as a worse line would carry it: gain, then noise, then the µ-law round trip again. The
 * noise is a fixed pseudo-random sequence, so every run and every configuration hears the same audio.
 */
export function throughLine(stream: SpeakerStream, { gainDb = 0, noiseDb }: LineCondition): SpeakerStream {
  const gain = 10 ** (gainDb / 20);
  // Sum of four uniforms, scaled to unit variance: close enough to Gaussian for hiss.
  const noiseRms = noiseDb === undefined ? 0 : 32768 * 10 ** (noiseDb / 20);
  let seed = 12345;
  const uniform = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
    return seed / 0x7fffffff - 0.5;
  };
  const pcm = new Int16Array(stream.pcm.length);
  for (let i = 0; i < pcm.length; i++) {
    const noise = noiseRms && (uniform() + uniform() + uniform() + uniform()) * Math.sqrt(3) * noiseRms;
    pcm[i] = Math.max(-32768, Math.min(32767, Math.round(stream.pcm[i] * gain + noise)));
  }
  return { ...stream, pcm: decodeMulaw(encodeMulaw(pcm)) };
}

export interface ClipScore {
  id: string;
  errors: number;
  referenceWords: number;
  hypothesis: string;
}

/**
 * Scores a stream's results clip by clip: a result belongs to the clip its middle falls in, or
 * nearest to (an insertion in a pause still counts against a clip).
 */
export function scoreClips(stream: SpeakerStream, results: RecognitionResult[]): ClipScore[] {
  const texts = stream.clips.map(() => [] as string[]);
  for (const result of results) {
    const middle = ((result.startMs + result.endMs) / 2 / 1000) * SAMPLE_RATE;
    let best = 0;
    let bestDistance = Infinity;
    stream.clips.forEach((clip, i) => {
      const distance = middle < clip.startSample ? clip.startSample - middle : Math.max(0, middle - clip.endSample);
      if (distance < bestDistance) {
        best = i;
        bestDistance = distance;
      }
    });
    texts[best].push(result.text);
  }
  return stream.clips.map((clip, i) => {
    const hypothesis = texts[i].join(' ');
    const { errors, referenceWords } = wordErrors(clip.text, hypothesis);
    return { id: clip.id, errors, referenceWords, hypothesis };
  });
}

/** Around each clip in an unsegmented decode: the segmenter's default padding. */
const UNSEGMENTED_PADDING_SAMPLES = 0.3 * SAMPLE_RATE;

/**
 * Decodes each clip whole, where it lies in the stream and with a little of the silence around it, on
 * one decoder, without the segmenter: as the pipeline would if it cut every clip exactly. The speaker's
 * mean carries from clip to clip as in the pipeline. Set beside the pipeline's errors, this tells whether
 * a clip's errors come from segmentation (cuts, merges) or from the decoder itself.
 */
export function decodeUnsegmented(stream: SpeakerStream, decoder: PocketSphinxDecoder): string[] {
  let mean: Float32Array | undefined;
  return stream.clips.map((clip) => {
    const decoding = new SegmentDecoding(decoder, mean);
    decoding.add(
      stream.pcm.slice(Math.max(0, clip.startSample - UNSEGMENTED_PADDING_SAMPLES), clip.endSample + UNSEGMENTED_PADDING_SAMPLES),
    );
    const finished = decoding.finish();
    mean = finished.mean ?? mean;
    return finished.utterance.text;
  });
}
