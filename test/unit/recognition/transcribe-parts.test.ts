import { describe, expect, it } from 'vitest';
import {
  BadRequestException,
  ConflictException,
  InternalFailureException,
  LimitExceededException,
  ServiceUnavailableException,
} from '@aws-sdk/client-transcribe-streaming';
import { MAX_CALL_SECONDS } from '#gateway/audiohook/duration.ts';
import { backoffDelay } from '#gateway/recognition/transcribe/backoff.ts';
import { FrameAssembler } from '#gateway/recognition/transcribe/frame-assembler.ts';
import { FrameQueue } from '#gateway/recognition/transcribe/frame-queue.ts';
import { StreamClock } from '#gateway/recognition/transcribe/stream-clock.ts';
import { classifyStreamError } from '#gateway/recognition/transcribe/stream-errors.ts';
import { pcm, sampleValue, samplesOf } from './transcribe-fake.ts';

const stereo = () => new FrameAssembler(['customer', 'agent'], { frameSamples: 800, maxSkewSamples: 8000 });

describe('FrameAssembler', () => {
  it('waits for both roles before cutting a frame', () => {
    const assembler = stereo();
    expect(assembler.write('customer', pcm('customer', 0, 800), 0)).toEqual([]);
    const frames = assembler.write('agent', pcm('agent', 0, 800), 0);
    expect(frames.map((f) => [f.startSample, f.samples, f.bytes.length])).toEqual([[0, 800, 3200]]);
  });

  it('zero-fills a role that lags by more than the allowed skew', () => {
    const assembler = stereo();
    assembler.write('agent', pcm('agent', 0, 160), 0);
    expect(assembler.write('customer', pcm('customer', 0, 8000), 0)).toEqual([]);
    const frames = assembler.write('customer', pcm('customer', 8000, 800), 8000);
    expect(frames).toHaveLength(1);
    const samples = samplesOf(frames[0].bytes);
    expect([samples[0], samples[1]]).toEqual([sampleValue('customer', 0), sampleValue('agent', 0)]);
    expect([samples[2 * 160], samples[2 * 160 + 1]]).toEqual([sampleValue('customer', 160), 0]);
  });

  it('skips a whole frame of silence, jumping to the next audio', () => {
    const assembler = stereo();
    for (const role of ['customer', 'agent'] as const) assembler.write(role, pcm(role, 0, 800), 0);
    const frames = [
      ...assembler.write('customer', pcm('customer', 5000, 800), 5000),
      ...assembler.write('agent', pcm('agent', 5000, 800), 5000),
    ];
    expect(frames.map((f) => f.startSample)).toEqual([5000]);
  });

  it('zero-fills a gap inside a frame instead of skipping it', () => {
    const assembler = stereo();
    for (const role of ['customer', 'agent'] as const) assembler.write(role, pcm(role, 0, 400), 0);
    const frames = [
      ...assembler.write('customer', pcm('customer', 600, 400), 600),
      ...assembler.write('agent', pcm('agent', 600, 400), 600),
    ];
    expect(frames.map((f) => f.startSample)).toEqual([0]);
    const samples = samplesOf(frames[0].bytes);
    expect(samples[2 * 500]).toBe(0);
    expect(samples[2 * 700]).toBe(sampleValue('customer', 700));
  });

  it('drops audio overlapping what was already written', () => {
    const assembler = stereo();
    assembler.write('customer', pcm('customer', 0, 800), 0);
    assembler.write('customer', pcm('customer', 400, 800), 400);
    expect(assembler.write('agent', pcm('agent', 0, 1600), 0)).toHaveLength(1);
    const [last] = assembler.flush();
    expect([last.startSample, last.samples]).toEqual([800, 800]);
    const samples = samplesOf(last.bytes);
    expect(samples[2 * 399]).toBe(sampleValue('customer', 1199));
    expect(samples[2 * 400]).toBe(0);
  });

  it('flushes what is pending into a short last frame', () => {
    const assembler = stereo();
    for (const role of ['customer', 'agent'] as const) assembler.write(role, pcm(role, 80, 1000), 80);
    const frames = assembler.flush();
    expect(frames.map((f) => [f.startSample, f.samples])).toEqual([[880, 200]]);
    expect(assembler.flush()).toEqual([]);
  });
});

describe('FrameAssembler at the limits of the timeline', () => {
  it('cuts frames at the furthest position a call can reach', () => {
    const assembler = stereo();
    const far = MAX_CALL_SECONDS * 8000;
    const [frame] = (['customer', 'agent'] as const).flatMap((role) => assembler.write(role, pcm(role, 0, 800), far));
    expect([frame.startSample, frame.samples]).toEqual([far, 800]);
    expect(samplesOf(frame.bytes)[0]).toBe(sampleValue('customer', 0));
  });

  it('refuses a position past exact integers instead of looping forever (a hang seen at ~8e18)', () => {
    expect(() => stereo().write('customer', pcm('customer', 0, 800), 8e18)).toThrow(RangeError);
    expect(() => stereo().write('customer', pcm('customer', 0, 800), -1)).toThrow(RangeError);
  });
});

describe('StreamClock', () => {
  it('maps stream seconds to call milliseconds across skipped time', () => {
    const clock = new StreamClock();
    clock.append(16000, 800);
    clock.append(16800, 800);
    clock.append(40000, 800);
    expect(clock.sentSamples).toBe(2400);
    expect(clock.toCallMs(0, 'start')).toBe(2000);
    expect(clock.toCallMs(0.15, 'start')).toBe(2150);
    expect(clock.toCallMs(0.2, 'end')).toBe(2200);
    expect(clock.toCallMs(0.2, 'start')).toBe(5000);
    expect(clock.toCallMs(0.25, 'end')).toBe(5050);
    expect(clock.toCallMs(0.1234, 'start')).toBe(2123);
  });
});

describe('FrameQueue', () => {
  it('hands items to a waiting consumer, ends when closed and drained', async () => {
    const queue = new FrameQueue<number>(10, () => undefined);
    const pending = queue.next();
    queue.push(1);
    queue.push(2);
    queue.close();
    expect(await pending).toBe(1);
    expect(await queue.next()).toBe(2);
    expect(await queue.next()).toBeUndefined();
  });

  it('drops the oldest item past capacity', () => {
    const dropped: number[] = [];
    const queue = new FrameQueue<number>(2, (item) => dropped.push(item));
    [1, 2, 3].forEach((i) => queue.push(i));
    expect(dropped).toEqual([1]);
    expect(queue.drain()).toEqual([2, 3]);
  });

  it('stop() releases a pending consumer and keeps later items for a successor', async () => {
    const queue = new FrameQueue<number>(10, () => undefined);
    const pending = queue.next();
    queue.stop();
    expect(await pending).toBeUndefined();
    queue.push(7);
    expect(await queue.next()).toBeUndefined();
    expect(queue.drain()).toEqual([7]);
  });
});

describe('classifyStreamError', () => {
  const meta = { $metadata: {} };
  it.each([
    [new LimitExceededException({ message: 'x', ...meta }), { retry: false, statusCode: 5002 }],
    [new BadRequestException({ message: 'Unsupported language code', ...meta }), { retry: false, statusCode: 4050 }],
    [new BadRequestException({ message: 'Invalid sample rate', ...meta }), { retry: false, statusCode: 5000 }],
    [new ServiceUnavailableException({ message: 'x', ...meta }), { retry: true }],
    [new InternalFailureException({ message: 'x', ...meta }), { retry: true }],
    [new ConflictException({ message: 'x', ...meta }), { retry: true }],
    [Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), { retry: true }],
    [new Error('Pipeline error', { cause: Object.assign(new Error('h2'), { code: 'ERR_HTTP2_STREAM_ERROR' }) }), { retry: true }],
    [new Error('something else'), { retry: false, statusCode: 5000 }],
  ])('%s → %o', (error, verdict) => {
    expect(classifyStreamError(error)).toEqual(verdict);
  });
});

describe('backoffDelay', () => {
  it('doubles per retry up to the ceiling, keeping at least half of it', () => {
    const policy = { baseDelayMs: 100, maxDelayMs: 1000 };
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, policy, () => 0))).toEqual([50, 100, 200, 400, 500]);
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, policy, () => 1))).toEqual([100, 200, 400, 800, 1000]);
  });
});
