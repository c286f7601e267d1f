/**
 * What one gateway task carries, and how the stack sizes and scales the gateway from it
 * (docs/capacity.md). The stack's task size, its `MAX_SESSIONS` and its scaling target all come from
 * here, and the figure they derive from is measured by `npm run bench -- transcribe-capacity`.
 */

/**
 * Fargate task size. The gateway's work (WebSocket frames, decoding, SigV4 signing and framing of the
 * Transcribe event streams) runs on one JavaScript thread, so a second vCPU would mostly sit idle:
 * capacity grows by adding tasks, not by enlarging them. 2 GiB is Fargate's least memory for 1 vCPU.
 */
export const GATEWAY_TASK_VCPU = 1;
export const GATEWAY_TASK_MEMORY_MIB = 2048;

/**
 * Calls one gateway vCPU carries within real time with RECOGNIZER=transcribe: the largest step of the
 * `transcribe-capacity` benchmark with event-loop lag p99 ≤ 20 ms, no frame lost and no pong late
 * (README, "Measured"). Measured on 2026-12-07 (steps 300–600, 200 ms chunks): 500 calls held with lag
 * p99 10.1 ms at 0.69 of a core (1.38 ms of gateway CPU per call-second); 600 did not (lag p99 20.1 ms).
 * The benchmark's `supportsStackFigure` says whether a later run still bears it out.
 */
export const TRANSCRIBED_CALLS_PER_VCPU = 500;

/**
 * `MAX_SESSIONS` of a task in the stack: past the measured figure every call on the task would lag, so
 * further connections are refused (503) and the load balancer's other tasks take them.
 */
export const MAX_SESSIONS_PER_TASK = TRANSCRIBED_CALLS_PER_VCPU * GATEWAY_TASK_VCPU;

/**
 * Target-tracking goal in calls per task: 60 % of `MAX_SESSIONS_PER_TASK`. Calls cannot move between
 * tasks, and a scale-out takes minutes (a one-minute metric, then a task to start), so the headroom
 * takes the calls that arrive meanwhile; it also covers the TLS to Transcribe that the benchmark does
 * not pay (its stand-in speaks clear-text HTTP/2).
 */
export const CALLS_PER_TASK_TARGET = Math.floor(MAX_SESSIONS_PER_TASK * 0.6);
