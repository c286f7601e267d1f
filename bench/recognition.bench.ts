/**
 * The embedded speech engine on two sets of audio:
 *   synthetic  the bundled sample call (samples/sample-call.wav, 59.6 s, two synthetic voices)
 *   real       recordings of real people (bench/support/real-speech.json: 11 clips, 3 speakers, 96 words,
 *              from Debian's pocketsphinx-testdata), 8 kHz µ-law like a call's channel
 *   real-ivr   telephone prompts read by a voice artist (bench/support/ivr-prompts.json: 28 prompts, 514
 *              words, from Debian's asterisk-core-sounds-en-wav), the same way: whether a tuning that
 *              helps the first set holds on other speech
 * each real set also through two worse lines: `+noise`, hiss at -45 dBFS; `+quiet`, the speech 20 dB
 * quieter (where a voice detector is put to the test),
 * with the default configuration (`config: "default"`) and, when one is given, a candidate tuning
 * (`config: "candidate"`) measured in the same run, so that accuracy and cost compare on the same machine
 * and load.
 * One JSON object per line:
 *   recognition-memory         resident memory per decoder worker
 *   recognition-rtf            N concurrent streams fed as fast as possible: wall time / audio time
 *                              (< 1: N streams keep up in real time), and CPU time per audio second
 *   recognition-wer            word error rate of a set, pooled (errors and reference words summed)
 *   recognition-wer-clip       the same for each clip of the real sets, with what was recognized, and
 *                              `unsegmentedErrors`: the clip decoded whole without the segmenter (on a
 *                              decoder in this process), which parts segmentation errors from decoding ones
 *   recognition-final-latency  streams fed in real time (20 ms chunks): from the end of an utterance's
 *                              last word to its final result, in audio time, with where the time goes
 * The machine's load average is printed with each figure: on a shared machine the wall-clock figures
 * mostly measure the neighbours.
 *
 *   npm run bench -- recognition        EMBEDDED_DECODERS sets the pool size (default: the cores)
 *   RECOGNITION_CANDIDATE_ARGS='-bestpathlw 15' RECOGNITION_CANDIDATE_SEGMENTER='{"paddingMs":200}' \
 *     npm run bench -- recognition      a candidate: decoder arguments (as POCKETSPHINX_ARGS) and/or
 *                                       segmenter options (JSON), beside the defaults
 */
import { availableParallelism, loadavg } from 'node:os';
import type { Role } from '#core/domain/participant.ts';
import type { DecoderPaths } from '#gateway/recognition/embedded/decoder-config.ts';
import { decoderPathsFromEnv } from '#gateway/recognition/embedded/decoder-config.ts';
import type { SegmentReport } from '#gateway/recognition/embedded/embedded-config.ts';
import type { EmbeddedRecognizer } from '#gateway/recognition/embedded/embedded-recognizer.ts';
import { createEmbeddedRecognizer } from '#gateway/recognition/embedded/embedded-recognizer.ts';
import type { SegmenterOptions } from '#gateway/recognition/embedded/segmenter.ts';
import type { RecognitionResult } from '#gateway/recognition/recognizer.ts';
import { callWordErrors, loadFixture, SAMPLE_CALL, transcribe } from '#test/unit/recognition/embedded-fixtures.ts';
import { PocketSphinxDecoder } from '#gateway/recognition/embedded/pocketsphinx-decoder.ts';
import type { LineCondition } from './support/real-speech.ts';
import { decodeUnsegmented, loadIvrPrompts, loadRealSpeech, scoreClips, throughLine } from './support/real-speech.ts';
import { wordErrors } from './support/word-error-rate.ts';

const candidateArguments = process.env.RECOGNITION_CANDIDATE_ARGS?.trim().split(/\s+/).filter(Boolean) ?? [];
const candidateSegmenter = JSON.parse(process.env.RECOGNITION_CANDIDATE_SEGMENTER || '{}') as Partial<SegmenterOptions>;
const withCandidate = candidateArguments.length > 0 || Object.keys(candidateSegmenter).length > 0;

const CHUNK = 160;
const GOAL_P95_MS = 600;
const call = loadFixture(SAMPLE_CALL);
const callMs = (call.tracks.get('customer')!.length / 8000) * 1000;
const decoders = Number(process.env.EMBEDDED_DECODERS) || availableParallelism();

const load = () => Math.round(loadavg()[0] * 100) / 100;
const print = (line: Record<string, unknown>) => console.log(JSON.stringify({ ...line, load1m: load() }));
const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

interface Stream {
  session: ReturnType<EmbeddedRecognizer['open']>;
  role: Role;
  pcm: Int16Array;
  /** Where this stream starts, in ms after the run starts (real-time runs stagger calls). */
  offsetMs: number;
}

/** Opens ceil(n/2) call sessions carrying n streams in total. */
function openStreams(
  recognizer: EmbeddedRecognizer,
  n: number,
  onResult: (r: RecognitionResult, call: number) => void,
  staggerMs = 0,
): Stream[] {
  const streams: Stream[] = [];
  for (let c = 0; c * 2 < n; c++) {
    const roles: Role[] = n - c * 2 >= 2 ? ['customer', 'agent'] : ['customer'];
    const session = recognizer.open(
      { conversationId: `bench-${c}`, language: 'en-US', sampleRate: 8000, roles, wordTimings: false },
      { onResult: (r) => onResult(r, c), onError: (role, e) => console.error(`bench: call ${c} ${role}: ${e.statusCode} ${e.message}`) },
    );
    for (const role of roles) streams.push({ session, role, pcm: call.tracks.get(role)!, offsetMs: c * staggerMs });
  }
  return streams;
}

async function endAll(streams: Stream[]): Promise<void> {
  await Promise.all([...new Set(streams.map((s) => s.session))].map((s) => s.end()));
}

/** Segment reports of the current run: the end-of-utterance pass of each segment. */
let segments: SegmentReport[] = [];

type Config = 'default' | 'candidate';
const configs: Config[] = withCandidate ? ['candidate', 'default'] : ['default'];
function candidatePaths(): DecoderPaths {
  const paths = decoderPathsFromEnv();
  return { ...paths, extraArguments: [...(paths.extraArguments ?? []), ...candidateArguments] };
}

const recognizers = new Map<Config, EmbeddedRecognizer>();
// Both configurations are loaded before either is measured, so neither reuses memory the other freed.
for (const config of configs) {
  const rssBefore = process.memoryUsage().rss;
  const recognizer = await createEmbeddedRecognizer({
    decoders,
    maxPendingSeconds: 1_000_000,
    watchdogMs: 300_000,
    onSegment: (report) => segments.push(report),
    ...(config === 'candidate' ? { paths: candidatePaths(), segmenter: candidateSegmenter } : {}),
  });
  recognizers.set(config, recognizer);
  const rssAfter = process.memoryUsage().rss;
  print({ bench: 'recognition-memory', config, decoders, rssPerDecoderMb: Math.round((rssAfter - rssBefore) / decoders / 2 ** 20) });
}
const recognizer = recognizers.get('default')!;

/** Feeds n streams of the sample call as fast as they are taken; returns call 0's results. */
async function rtf(config: Config, n: number): Promise<RecognitionResult[]> {
  const results: RecognitionResult[] = [];
  const streams = openStreams(recognizers.get(config)!, n, (r, c) => c === 0 && results.push(r));
  const wallStart = performance.now();
  const cpuStart = cpuMs();
  for (let i = 0; i < streams[0].pcm.length; i += CHUNK) {
    for (const s of streams) s.session.write(s.role, s.pcm.slice(i, i + CHUNK), i);
  }
  await endAll(streams);
  const wall = performance.now() - wallStart;
  print({
    bench: 'recognition-rtf',
    config,
    streams: n,
    decoders,
    rtf: round(wall / callMs),
    cpuPerAudioSecond: round((cpuMs() - cpuStart) / (callMs * n)),
  });
  return results;
}

for (const config of configs) {
  for (const n of config === 'default' ? [1, 2, 4, 8] : [1, 2]) {
    const results = await rtf(config, n);
    if (n !== 2) continue;
    const { wer, errors, referenceWords } = callWordErrors(call.turns, results);
    print({
      bench: 'recognition-wer',
      set: 'synthetic',
      config,
      audio: 'samples/sample-call.wav',
      wer: round(wer),
      errors,
      referenceWords,
      goal: 0.1,
    });
  }
}

// The real sets: each speaker's stream in a session of its own (a new caller), a set's speakers at once.
// Each also through a worse line (bench/support/real-speech.ts throughLine), where segmentation is tried.
const lines: Array<{ suffix: string; condition: LineCondition }> = [
  { suffix: '', condition: {} },
  { suffix: '+noise', condition: { noiseDb: -45 } },
  { suffix: '+quiet', condition: { gainDb: -20 } },
];
const realSets = [
  { set: 'real', streams: loadRealSpeech(), goal: 0.25 },
  { set: 'real-ivr', streams: loadIvrPrompts(), goal: undefined },
].flatMap(({ set, streams, goal }) =>
  lines.map(({ suffix, condition }) => ({
    set: set + suffix,
    streams: suffix ? streams.map((s) => throughLine(s, condition)) : streams,
    goal: suffix ? undefined : goal,
  })),
);
for (const { set, streams, goal } of realSets) {
  for (const config of configs) {
    const transcripts = await Promise.all(
      streams.map((stream) => transcribe(recognizers.get(config)!, new Map([['customer', stream.pcm]]), { wordTimings: false })),
    );
    const decoder = new PocketSphinxDecoder(config === 'candidate' ? candidatePaths() : decoderPathsFromEnv());
    let errors = 0;
    let unsegmentedErrors = 0;
    let referenceWords = 0;
    streams.forEach((stream, i) => {
      const unsegmented = decodeUnsegmented(stream, decoder);
      scoreClips(stream, transcripts[i].results).forEach((clip, c) => {
        const whole = wordErrors(stream.clips[c].text, unsegmented[c]).errors;
        errors += clip.errors;
        unsegmentedErrors += whole;
        referenceWords += clip.referenceWords;
        print({
          bench: 'recognition-wer-clip',
          set,
          config,
          clip: clip.id,
          errors: clip.errors,
          unsegmentedErrors: whole,
          referenceWords: clip.referenceWords,
          recognized: clip.hypothesis,
        });
      });
    });
    decoder.free();
    print({
      bench: 'recognition-wer',
      set,
      config,
      clips: streams.reduce((n, s) => n + s.clips.length, 0),
      wer: round(errors / referenceWords),
      errors,
      unsegmentedErrors,
      referenceWords,
      ...(goal === undefined ? {} : { goal }),
    });
  }
}
await recognizers.get('candidate')?.close();

/** Feeds streams in real time; returns each result's latency behind the end of its last word. */
async function realTimeLatencies(n: number, staggerMs: number): Promise<number[]> {
  const latencies: number[] = [];
  segments = [];
  let t0 = 0;
  const streams = openStreams(recognizer, n, (r, c) => latencies.push(performance.now() - t0 - c * staggerMs - r.endMs), staggerMs);
  const totalMs = callMs + (streams[streams.length - 1].offsetMs ?? 0);
  t0 = performance.now();
  for (let at = 0; at < totalMs; at += CHUNK / 8) {
    const wait = t0 + at + CHUNK / 8 - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    for (const s of streams) {
      const i = (at - s.offsetMs) * 8;
      if (i >= 0 && i < s.pcm.length) s.session.write(s.role, s.pcm.slice(i, i + CHUNK), i);
    }
  }
  await endAll(streams);
  return latencies.sort((a, b) => a - b);
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
for (const [n, stagger] of [
  [2, 0],
  [8, 3_700],
] as const) {
  const latencies = await realTimeLatencies(n, stagger);
  const finish = segments.map((r) => r.finishMs).sort((a, b) => a - b);
  const waits = segments.map((r) => r.decidedAtMs - r.speechEndMs).sort((a, b) => a - b);
  print({
    bench: 'recognition-final-latency',
    streams: n,
    decoders,
    results: latencies.length,
    p50Ms: Math.round(quantile(latencies, 0.5)),
    p95Ms: Math.round(quantile(latencies, 0.95)),
    maxMs: Math.round(latencies[latencies.length - 1]),
    goalP95Ms: GOAL_P95_MS,
    // Where it goes: the silence that ends a segment (audio time), then the decoder's end-of-utterance
    // pass (wall time in the worker, so it grows with the machine's load too).
    silenceWaitP50Ms: Math.round(quantile(waits, 0.5)),
    endPassP50Ms: Math.round(quantile(finish, 0.5)),
    endPassP95Ms: Math.round(quantile(finish, 0.95)),
  });
}

await recognizer.close();
