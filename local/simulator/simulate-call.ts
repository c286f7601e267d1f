import { setTimeout as sleep } from 'node:timers/promises';
import { AudioHookClient, type ClientOptions } from './client.ts';
import type { CallAudio as WavCallAudio } from './wav-source.ts';

/**
 * Streams one call's audio through an AudioHookClient the way Genesys does: `open`, ~200 ms frames in
 * real time (or as fast as possible), a ping every 5 s of call time, optional pauses, `close`.
 */

/** 8 kHz µ-law; interleaved customer (external) left, agent (internal) right when stereo. */
export type CallAudio = Pick<WavCallAudio, 'channels' | 'mulaw'>;

export interface SimulateCallOptions extends ClientOptions {
  audio: CallAudio;
  /** Pace frames in real time (default) or send them as fast as the socket takes them. */
  realtime?: boolean;
  /** With `realtime`, play this many times faster than real time (default 1). */
  speed?: number;
  frameMs?: number;
  pingIntervalMs?: number;
  /** Client-side pauses: audio in [atMs, atMs + durationMs) is not sent and reported as discarded. */
  pauses?: Array<{ atMs: number; durationMs: number }>;
  /** Called after `opened`, before audio (e.g. start-streaming). */
  afterOpened?(client: AudioHookClient): Promise<void> | void;
  /** Called after the last frame, before `close` (e.g. stop-streaming). */
  beforeClose?(client: AudioHookClient): Promise<void> | void;
  onProgress?(progress: { sentMs: number; totalMs: number; rttMs?: number }): void;
}

export interface CallResult {
  client: AudioHookClient;
  framesSent: number;
  audioMsSent: number;
  violations: string[];
}

export async function simulateCall(options: SimulateCallOptions): Promise<CallResult> {
  const { audio } = options;
  const frameMs = options.frameMs ?? 200;
  const realtime = options.realtime ?? true;
  const pingIntervalMs = options.pingIntervalMs ?? 5_000;
  // A mono recording is one party, the customer: offer what such a source offers (§7.1).
  const media =
    options.media ??
    (audio.channels === 1 ? [{ type: 'audio' as const, format: 'PCMU' as const, channels: ['external' as const], rate: 8000 }] : undefined);
  const client = new AudioHookClient({ ...options, media });
  const opened = await client.start();
  if (opened.type !== 'opened') throw new Error(`server answered open with ${opened.type}: ${JSON.stringify(opened.parameters)}`);
  const rttMs = await client.ping();
  client.startPinging(pingIntervalMs);
  try {
    await options.afterOpened?.(client);
  } catch (error) {
    // The session ends as Genesys would end it (close transaction), not with a dropped socket.
    await client.close('end').catch(() => undefined);
    throw error;
  }

  const negotiated = client.selectedMedia?.channels ?? [];
  const totalSamples = audio.mulaw.length / audio.channels;
  const totalMs = Math.floor(totalSamples / 8);
  const samplesPerFrame = 8 * frameMs;
  let framesSent = 0;
  let audioMsSent = 0;
  const began = performance.now();
  let paused: { until: number; startedAt: number } | undefined;

  for (let sample = 0; sample < totalSamples && negotiated.length > 0; sample += samplesPerFrame) {
    const atMs = sample / 8;
    const pause = options.pauses?.find((p) => atMs >= p.atMs && atMs < p.atMs + p.durationMs);
    if (pause && !paused) {
      client.sendPaused();
      paused = { until: pause.atMs + pause.durationMs, startedAt: atMs };
    }
    if (paused && atMs >= paused.until) {
      client.sendResumed((atMs - paused.startedAt) / 1000);
      paused = undefined;
    }
    if (!paused) {
      const count = Math.min(samplesPerFrame, totalSamples - sample);
      client.sendAudio(frameFor(audio, sample, count, negotiated));
      framesSent++;
      audioMsSent += count / 8;
    }
    options.onProgress?.({ sentMs: atMs + frameMs, totalMs, rttMs });
    if (realtime) {
      const due = began + (atMs + frameMs) / (options.speed ?? 1);
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
    } else if (framesSent % 50 === 0) {
      await sleep(0);
    }
  }
  if (paused) client.sendResumed((totalMs - paused.startedAt) / 1000);
  await options.beforeClose?.(client);
  await client.close('end');
  return { client, framesSent, audioMsSent, violations: client.violations };
}

/**
 * The frame in the negotiated layout: stereo offers may come back as ["internal","external"] and a
 * mono selection carries only one party.
 */
function frameFor(audio: CallAudio, firstSample: number, count: number, negotiated: readonly string[]): Uint8Array {
  // Mono audio is the customer; a channel the recording lacks carries µ-law silence (0xFF).
  const source = (channel: 'external' | 'internal', i: number): number =>
    audio.channels === 1 ? (channel === 'external' ? audio.mulaw[i] : 0xff) : audio.mulaw[i * 2 + (channel === 'external' ? 0 : 1)];
  const frame = new Uint8Array(count * negotiated.length);
  for (let i = 0; i < count; i++) {
    for (let c = 0; c < negotiated.length; c++) {
      frame[i * negotiated.length + c] = source(negotiated[c] as 'external' | 'internal', firstSample + i);
    }
  }
  return frame;
}
