/**
 * µ-law decode + de-interleave throughput (`splitChannels`) of stereo frames on the one JS thread,
 * next to `Buffer.copy` of the same bytes measured in alternating rounds: the copy is the ceiling.
 * Rates are per CPU-second of this process (all its threads, so GC helpers count against us), which
 * keeps them stable on a shared machine where wall-clock rates mostly measure the neighbours; the
 * wall-clock median is reported too. One JSON object per line.
 */
import { loadavg } from 'node:os';
import { splitChannels } from '#gateway/audio/deinterleave.ts';

const GOAL_MB_PER_SEC = 400;
const WARMUP_MS = 400;
const ROUND_MS = 200;
const ROUNDS = 9;
/** Stereo PCMU is 16,000 bytes per second of call. */
const STEREO_CALL_BYTES_PER_SEC = 16_000;

interface Case {
  frameBytes: number;
  /** `fresh`: new output arrays per frame, as the gateway does; `reused`: lent buffers. */
  outputs: 'fresh' | 'reused';
  /** Where the frame starts in its ArrayBuffer: a socket slice can start at any byte. */
  byteOffset: 0 | 1 | 2 | 3;
}

const CASES: Case[] = [
  { frameBytes: 3200, outputs: 'fresh', byteOffset: 0 },
  { frameBytes: 3200, outputs: 'fresh', byteOffset: 1 },
  { frameBytes: 3200, outputs: 'fresh', byteOffset: 2 },
  { frameBytes: 3200, outputs: 'fresh', byteOffset: 3 },
  { frameBytes: 3200, outputs: 'reused', byteOffset: 0 },
  { frameBytes: 8 << 20, outputs: 'reused', byteOffset: 0 },
];

let sink = 0;

for (const c of CASES) {
  const backing = Buffer.alloc(c.frameBytes + 3);
  for (let i = 0; i < backing.length; i++) backing[i] = (Math.imul(i, 2654435761) >>> 24) & 0xff;
  const frame = backing.subarray(c.byteOffset, c.byteOffset + c.frameBytes);
  const target = Buffer.alloc(c.frameBytes);
  const half = c.frameBytes / 2;
  const into = c.outputs === 'reused' ? [new Int16Array(half), new Int16Array(half)] : undefined;

  const decode = () => {
    sink ^= splitChannels(frame, 2, into).channels[1][0];
  };
  const copy = () => {
    sink ^= frame.copy(target);
  };

  timeRound(decode, c.frameBytes, WARMUP_MS);
  timeRound(copy, c.frameBytes, WARMUP_MS);
  const decodeRounds: Rates[] = [];
  const copyRounds: Rates[] = [];
  // Alternating rounds expose both to the same background load.
  for (let r = 0; r < ROUNDS; r++) {
    decodeRounds.push(timeRound(decode, c.frameBytes, ROUND_MS));
    copyRounds.push(timeRound(copy, c.frameBytes, ROUND_MS));
  }
  const mbPerSec = median(decodeRounds.map((r) => r.cpu));
  console.log(
    JSON.stringify({
      bench: 'mulaw-decode',
      channels: 2,
      frameBytes: c.frameBytes,
      outputs: c.outputs,
      byteOffset: c.byteOffset,
      mbPerSec: round(mbPerSec),
      copyMbPerSec: round(median(copyRounds.map((r) => r.cpu))),
      wallMbPerSec: round(median(decodeRounds.map((r) => r.wall))),
      stereoCallsPerCore: Math.floor((mbPerSec * 1e6) / STEREO_CALL_BYTES_PER_SEC),
      goalMbPerSec: GOAL_MB_PER_SEC,
      meetsGoal: mbPerSec >= GOAL_MB_PER_SEC,
      loadAverage1m: round(loadavg()[0]),
    }),
  );
}

// Keeps the work observable so the JIT cannot drop it.
if (sink === 0.5) console.error(sink);

interface Rates {
  /** MB/s (10^6 bytes of input) per CPU-second. */
  cpu: number;
  /** MB/s per wall-clock second. */
  wall: number;
}

/** Calls `fn` for about `ms` of wall-clock time. */
function timeRound(fn: () => void, bytesPerCall: number, ms: number): Rates {
  const batch = Math.max(1, Math.floor((1 << 20) / bytesPerCall));
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(ms) * 1_000_000n;
  let calls = 0;
  let now = start;
  while (now < deadline) {
    for (let i = 0; i < batch; i++) fn();
    calls += batch;
    now = process.hrtime.bigint();
  }
  const cpu = process.cpuUsage(cpuStart);
  const megabytes = (calls * bytesPerCall) / 1e6;
  return {
    cpu: megabytes / ((cpu.user + cpu.system) / 1e6),
    wall: megabytes / (Number(now - start) / 1e9),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
