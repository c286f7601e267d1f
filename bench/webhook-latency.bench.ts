import '../local/quiet-logs.ts';
import { DEV_AUDIOHOOK_API_KEY, DEV_AUDIOHOOK_CLIENT_SECRET } from '../fargate-gateway/audiohook/dev-credentials.ts';
import { createEmbeddedRecognizer } from '../fargate-gateway/recognition/embedded/embedded-recognizer.ts';
import type { Recognizer } from '../fargate-gateway/recognition/recognizer.ts';
import { DEV_API_ID, DEV_API_SECRET } from '../local/dev-credentials.ts';
import { startStopApi } from '../local/simulator/control-api.ts';
import { simulateCall } from '../local/simulator/simulate-call.ts';
import { loadCallAudio } from '../local/simulator/wav-source.ts';
import { startLocalSystem } from '../local/system.ts';

/**
 * Latency from the recognizer's final result to the webhook POST arriving at the target, through the
 * whole local pipeline: formatting and redaction, the DynamoDB write, the SQS publish, the queue
 * poller, the webhook Lambda handler and its HTTP POST. Goal: p99 ≤ 30 ms locally.
 * The sample call is played BENCH_CALL_REPEATS times (default 3) at 2x real time.
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
  const audio = loadCallAudio('samples/sample-call.wav');
  const api = startStopApi({ baseUrl: system.urls.api, apiId: DEV_API_ID, apiSecret: DEV_API_SECRET });
  for (let i = 0; i < repeats; i++) {
    await simulateCall({
      url: system.urls.audiohook, apiKey: DEV_AUDIOHOOK_API_KEY, clientSecret: DEV_AUDIOHOOK_CLIENT_SECRET, audio, speed: 2,
      afterOpened: async (c) => void (await api.start({ guid: c.conversationId, customerId: 'c', agentId: 'a' })),
      beforeClose: async (c) => void (await api.stop(c.conversationId)),
    });
  }
  await new Promise((r) => setTimeout(r, 1_000));
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] * 10) / 10;
  console.log(JSON.stringify({
    bench: 'webhook-latency', utterances: latencies.length, p50Ms: pct(50), p95Ms: pct(95), p99Ms: pct(99), maxMs: pct(100),
    goalP99Ms: 30, meetsGoal: pct(99) <= 30,
  }));
} finally {
  await system.stop();
}
