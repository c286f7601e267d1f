import { afterEach, describe, expect, it } from 'vitest';
import type { DecoderPoolOptions, JobOutcome } from '#gateway/recognition/embedded/decoder-pool.ts';
import { DecoderPool } from '#gateway/recognition/embedded/decoder-pool.ts';
import { PocketSphinxUnavailableError } from '#gateway/recognition/embedded/pocketsphinx.ts';
import { RecognitionError } from '#gateway/recognition/recognizer.ts';
import type { RecognitionResult } from '#gateway/recognition/recognizer.ts';
import { createEmbeddedRecognizer } from '#gateway/recognition/embedded/embedded-recognizer.ts';

const FAKE_WORKER = new URL('./embedded-fake-worker.mjs', import.meta.url);
const CRASH = 32123;
const HANG = 32124;
const SLOW = 32125;

const pools: DecoderPool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

async function pool(options: Partial<DecoderPoolOptions> = {}): Promise<DecoderPool> {
  const p = await DecoderPool.start({
    size: 1,
    maxPendingSamples: 1_000_000,
    watchdogMs: 30_000,
    workerUrl: FAKE_WORKER,
    workerData: { paths: { hmm: '', lm: '', dict: '', fdict: '' }, search: { kind: 'lm' } },
    ...options,
  });
  pools.push(p);
  return p;
}

function pcm(...samples: number[]): Int16Array {
  return Int16Array.from(samples);
}

/** What the fake worker answers for these samples decoded in this order. */
function describeAudio(samples: number[], mean: string): string {
  let sum = 0;
  for (const s of samples) sum = (sum * 31 + s + 65536) % 1000000007;
  return `n${samples.length} s${sum} m${mean}`;
}

function text(outcome: JobOutcome): string {
  if (!outcome.ok) throw outcome.error;
  return outcome.utterance.text;
}

describe('DecoderPool', () => {
  it('decodes a segment and hands back the speaker state', async () => {
    const p = await pool();
    const job = p.open();
    job.start();
    job.append(pcm(1, 2));
    job.append(pcm(3));
    job.close();
    const outcome = await job.outcome;
    expect(text(outcome)).toBe(describeAudio([1, 2, 3], 'none'));
    expect(outcome.ok && outcome.mean?.[0]).toBe(1);
  });

  it('takes a streaming decoder for a complete segment and later replays the live one in full', async () => {
    const p = await pool();
    const order: string[] = [];
    const live = p.open();
    live.start();
    live.append(pcm(10, 11, 12));
    const complete = p.open();
    complete.append(pcm(20, 21));
    complete.close();
    complete.start();
    void complete.outcome.then(() => order.push('complete'));
    void live.outcome.then(() => order.push('live'));
    expect(text(await complete.outcome)).toBe(describeAudio([20, 21], 'none'));
    live.append(pcm(13));
    live.close();
    expect(text(await live.outcome)).toBe(describeAudio([10, 11, 12, 13], 'none'));
    expect(order).toEqual(['complete', 'live']);
  });

  it('a crashing worker fails only its segment and is replaced', async () => {
    const p = await pool();
    const bad = p.open();
    bad.start();
    bad.append(pcm(1, CRASH, 2));
    bad.close();
    const failed = await bad.outcome;
    expect(failed.ok).toBe(false);
    expect(!failed.ok && failed.error).toBeInstanceOf(RecognitionError);
    expect(!failed.ok && failed.error.statusCode).toBe(5000);

    const good = p.open();
    good.start();
    good.append(pcm(5));
    good.close();
    expect(text(await good.outcome)).toBe(describeAudio([5], 'none'));
  });

  it('the watchdog restarts a stuck worker', async () => {
    const p = await pool({ watchdogMs: 150 });
    const stuck = p.open();
    stuck.start();
    stuck.append(pcm(HANG));
    stuck.close();
    const failed = await stuck.outcome;
    expect(!failed.ok && failed.error.statusCode).toBe(5000);

    const good = p.open();
    good.start();
    good.append(pcm(7));
    good.close();
    expect(text(await good.outcome)).toBe(describeAudio([7], 'none'));
  });

  it('bounds the speech waiting for a decoder, not the segments: beyond it a segment fails with 5002 and its length', async () => {
    const p = await pool({ maxPendingSamples: 8_000 });
    const lengths = [1, 4_000, 4_000, 1_600];
    const jobs = lengths.map((n, i) => {
      const job = p.open();
      job.start();
      const audio = new Int16Array(n).fill(i + 1);
      if (i === 0) audio[0] = SLOW;
      job.append(audio);
      job.close();
      return job;
    });
    const outcomes = await Promise.all(jobs.map((j) => j.outcome));
    expect(outcomes.map((o) => (o.ok ? 'ok' : o.error.statusCode))).toEqual(['ok', 'ok', 'ok', 5002]);
    const lost = outcomes[3];
    expect(!lost.ok && lost.error.lostAudioMs).toBe(200);
  });

  it('fails fast and clearly when decoders cannot start', async () => {
    await expect(
      DecoderPool.start({
        size: 2,
        maxPendingSamples: 1,
        watchdogMs: 1000,
        workerUrl: FAKE_WORKER,
        workerData: { failStart: true } as never,
      }),
    ).rejects.toBeInstanceOf(PocketSphinxUnavailableError);
  });
});

describe('EmbeddedRecognizer with a failing decoder', () => {
  it('reports 5000 for the lost segment and goes on with the next ones, in order', async () => {
    const recognizer = await createEmbeddedRecognizer({ decoders: 1, workerUrl: FAKE_WORKER });
    try {
      const results: RecognitionResult[] = [];
      const errors: Array<[string, number]> = [];
      const session = recognizer.open(
        { conversationId: 'c', language: 'en-US', sampleRate: 8000, roles: ['customer'], wordTimings: false },
        { onResult: (r) => results.push(r), onError: (role, e) => errors.push([role, e.statusCode]) },
      );
      // Three 0.5 s bursts 1.5 s apart; the second carries the crash marker.
      const audio = new Int16Array(8000 * 6);
      for (const [k, start] of [0.5, 2, 3.5].entries()) {
        for (let i = start * 8000; i < (start + 0.5) * 8000; i++) audio[i] = Math.round(Math.sin(i / 4) * 8000);
        if (k === 1) audio[(start + 0.2) * 8000] = CRASH;
      }
      for (let i = 0; i < audio.length; i += 160) session.write('customer', audio.slice(i, i + 160), i);
      await session.end();
      expect(errors).toEqual([['customer', 5000]]);
      expect(results.map((r) => [r.startMs, r.endMs])).toEqual([
        [200, 1300],
        [3200, 4300],
      ]);
      // The speaker's state skipped the lost segment: the third segment continues from the first.
      expect(results[1].text.endsWith('m1')).toBe(true);
    } finally {
      await recognizer.close();
    }
  });
});
