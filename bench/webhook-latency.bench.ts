import '#local/quiet-logs.ts';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createEmbeddedRecognizer } from '#gateway/recognition/embedded/embedded-recognizer.ts';
import type { Recognizer } from '#gateway/recognition/recognizer.ts';
import { startLocalSystem } from '#local/system.ts';

/**
 * Latency from the recognizer's final result to the webhook POST arriving at the target, through the
 * whole local pipeline: formatting and redaction, the DynamoDB write, the SQS publish, the queue
 * poller, the webhook Lambda handler and its HTTP POST. Goal: p99 ≤ 30 ms locally.
 * The sample call is played BENCH_CALL_REPEATS times (default 3) at 2x real time by the call simulator in
 * its own process, as Genesys and the CTI are remote in production.
 */
const repeats = Number(process.env.BENCH_CALL_REPEATS ?? 3);
const finals = new Map<string, number>();
const latencies: number[] = [];

// Stamps each final as the real engine emits it; the key is what the webhook body carries.
function timed(inner: Recognizer): Recognizer {
  return {
    open: (options, listener) =>
      inner.open(options, {
        onResult: (result) => {
          finals.set(`${options.conversationId}:${result.role}:${result.startMs}`, performance.now());
          listener.onResult(result);
        },
        onError: (role, error) => listener.onError(role, error),
      }),
    close: () => inner.close(),
  };
}

Object.assign(process.env, { API_PORT: '0', GATEWAY_PORT: '0', CONTROL_PORT: '0', WEBHOOK_RECEIVER_PORT: '0' });
const system = await startLocalSystem({
  recognizer: timed(await createEmbeddedRecognizer()),
  scheduler: false,
  print: () => undefined,
  onTranscript: (body, arrivedAt) => {
    const emitted = finals.get(`${body.externalConversationId.toLowerCase()}:${body.sender.role}:${body.autotranscribeResponse.start}`);
    if (emitted !== undefined) latencies.push(arrivedAt - emitted);
  },
});
try {
  const tsx = createRequire(import.meta.url).resolve('tsx');
  for (let i = 0; i < repeats; i++) {
    const call = spawn(
      process.execPath,
      ['--import', tsx, 'local/simulator/cli.ts', '--url', system.urls.audiohook, '--api', system.urls.api, '--start', '--speed', '2'],
      { stdio: 'ignore' },
    );
    const code = await new Promise((r) => call.on('exit', r));
    if (code !== 0) throw new Error(`call simulator exited with ${String(code)}`);
  }
  await new Promise((r) => setTimeout(r, 1_000));
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] * 10) / 10;
  console.log(
    JSON.stringify({
      bench: 'webhook-latency',
      utterances: latencies.length,
      p50Ms: pct(50),
      p95Ms: pct(95),
      p99Ms: pct(99),
      maxMs: pct(100),
      goalP99Ms: 30,
      meetsGoal: pct(99) <= 30,
    }),
  );
} finally {
  await system.stop();
}
