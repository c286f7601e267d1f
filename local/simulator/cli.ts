import '../quiet-logs.ts';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEV_AUDIOHOOK_API_KEY, DEV_AUDIOHOOK_CLIENT_SECRET } from '#gateway/audiohook/dev-credentials.ts';
import { EXIT, UsageError, intFlag, parseFlags } from '../command-env.ts';
import { DEV_API_ID, DEV_API_SECRET } from '../dev-credentials.ts';
import { startStopApi } from './control-api.ts';
import { simulateCall } from './simulate-call.ts';
import { loadCallAudio } from './wav-source.ts';
import { AUDIOHOOK_PATH, GATEWAY_PORT } from '#core/contract/gateway-endpoints.ts';

const DEFAULT_URL = `ws://localhost:${GATEWAY_PORT}${AUDIOHOOK_PATH}`;

/**
 * `npm run call -- --wav FILE`: plays a recording into the gateway as Genesys Cloud would.
 * With `--start`, calls start-streaming after `opened` and stop-streaming before `close`.
 */

const USAGE = `usage: npm run call -- [--wav FILE] [options]

  --wav FILE            WAV recording (any rate/format; stereo = customer left, agent right)
                        default: samples/sample-call.wav
  --url URL             gateway WebSocket URL (default $GATEWAY_URL or ${DEFAULT_URL})
  --api-key KEY         X-API-KEY (default $AUDIOHOOK_API_KEY or the development key)
  --client-secret B64   client secret, base64 (default $AUDIOHOOK_CLIENT_SECRET or the development secret);
                        --client-secret "" sends an unsigned upgrade
  --conversation-id ID  Genesys conversation id (default: a random UUID)
  --fast                send audio as fast as possible instead of in real time
  --speed N             play N times faster than real time (default 1)
  --frame-ms N          audio per frame (default 200)
  --pause-at S --pause-for S   a client-side (secure) pause at S seconds for S seconds
  --start               call start-streaming after opened and stop-streaming before close
  --api URL             control API base URL (default $API_URL or http://localhost:3000)
  --api-id ID --api-secret S   API credentials (default $API_ID / $API_SECRET or the development pair)
  --customer-id ID --agent-id ID --language TAG --redaction MODE   start-streaming parameters
  --record              start-streaming with audioRecordingAllowed: the span is recorded (GET …/recordings)
  --help

Exit status: 0 the call ran; 1 it failed (gateway refused it, start-streaming refused it, protocol
violations); 2 bad options.`;

function main(): Promise<void> {
  const { values } = parseFlags(
    () =>
      parseArgs({
        options: {
          wav: { type: 'string' },
          url: { type: 'string' },
          'api-key': { type: 'string' },
          'client-secret': { type: 'string' },
          'conversation-id': { type: 'string' },
          fast: { type: 'boolean', default: false },
          speed: { type: 'string', default: '1' },
          'frame-ms': { type: 'string', default: '200' },
          'pause-at': { type: 'string' },
          'pause-for': { type: 'string' },
          start: { type: 'boolean', default: false },
          api: { type: 'string' },
          'api-id': { type: 'string' },
          'api-secret': { type: 'string' },
          'customer-id': { type: 'string', default: 'customer-1' },
          'agent-id': { type: 'string', default: 'agent-1' },
          language: { type: 'string', default: 'en-US' },
          redaction: { type: 'string', default: 'redacted' },
          record: { type: 'boolean', default: false },
          help: { type: 'boolean', default: false },
        },
        allowPositionals: false,
      }),
    `${USAGE}\n`,
  );
  return run(values);
}

async function run(values: Record<string, string | boolean | undefined>): Promise<void> {
  const str = (name: string) => values[name] as string | undefined;
  const wav = str('wav') ?? 'samples/sample-call.wav';
  if (!existsSync(wav)) throw new UsageError(`no such WAV file: ${wav}`);
  const speed = Number(str('speed'));
  if (!(speed > 0 && speed <= 100)) throw new UsageError('--speed must be a number above 0 and at most 100');
  const frameMs = intFlag('frame-ms', str('frame-ms'), 200, 10, 1_000);
  const pauses = [];
  if (str('pause-at') !== undefined || str('pause-for') !== undefined) {
    const at = Number(str('pause-at'));
    const duration = Number(str('pause-for'));
    if (!(at >= 0) || !(duration > 0)) throw new UsageError('--pause-at and --pause-for take seconds (both required)');
    pauses.push({ atMs: at * 1000, durationMs: duration * 1000 });
  }
  const audio = loadCallAudio(wav);
  const url = str('url') ?? process.env.GATEWAY_URL ?? DEFAULT_URL;
  const apiKey = str('api-key') ?? process.env.AUDIOHOOK_API_KEY ?? DEV_AUDIOHOOK_API_KEY;
  const secretArg = str('client-secret') ?? process.env.AUDIOHOOK_CLIENT_SECRET ?? DEV_AUDIOHOOK_CLIENT_SECRET;
  const api = values.start
    ? startStopApi({
        baseUrl: str('api') ?? process.env.API_URL ?? 'http://localhost:3000',
        apiId: str('api-id') ?? process.env.API_ID ?? DEV_API_ID,
        apiSecret: str('api-secret') ?? process.env.API_SECRET ?? DEV_API_SECRET,
      })
    : undefined;

  console.log(
    `calling ${url} with ${wav} (${audio.channels === 2 ? 'stereo' : 'mono'}, ${(audio.durationMs / 1000).toFixed(1)} s${values.fast ? ', fast' : ''})`,
  );
  const interactive = process.stdout.isTTY;
  let lastPrinted = -Infinity;
  const result = await simulateCall({
    url,
    apiKey,
    clientSecret: secretArg === '' ? undefined : secretArg,
    conversationId: str('conversation-id'),
    audio,
    realtime: !values.fast,
    speed,
    frameMs,
    pauses,
    afterOpened: async (client) => {
      console.log(
        `opened: session ${client.sessionId}, conversation ${client.conversationId}, media ${JSON.stringify(client.selectedMedia?.channels ?? [])}`,
      );
      if (!api) return;
      const started = await api.start({
        guid: client.conversationId,
        customerId: str('customer-id')!,
        agentId: str('agent-id')!,
        language: str('language')!,
        redactionOutput: str('redaction')!,
        ...(values.record ? { audioRecordingAllowed: true } : {}),
      });
      console.log(`start-streaming: HTTP ${started.status} ${JSON.stringify(started.body)}`);
      // Streaming a call nobody transcribes proves nothing: end the session and fail the command.
      if (started.status !== 200) throw new StartFailed(`start-streaming answered HTTP ${started.status}; call ended without streaming`);
    },
    beforeClose: async (client) => {
      if (interactive) process.stdout.write('\n');
      if (!api) return;
      const stopped = await api.stop(client.conversationId);
      console.log(`stop-streaming: HTTP ${stopped.status}\n${JSON.stringify(stopped.body, null, 2)}`);
    },
    onProgress: ({ sentMs, totalMs, rttMs }) => {
      const line = `  ${(Math.min(sentMs, totalMs) / 1000).toFixed(1)} s / ${(totalMs / 1000).toFixed(1)} s sent${rttMs !== undefined ? `, rtt ${rttMs.toFixed(1)} ms` : ''}`;
      if (interactive) process.stdout.write(`\r${line}`);
      else if (sentMs - lastPrinted >= 5_000 || sentMs >= totalMs) {
        lastPrinted = sentMs;
        console.log(line);
      }
    },
  });
  console.log(`closed: ${result.framesSent} frames, ${(result.audioMsSent / 1000).toFixed(1)} s of audio sent`);
  if (result.violations.length > 0) {
    console.error(`protocol violations a Genesys client would report:\n  ${result.violations.join('\n  ')}`);
    process.exitCode = EXIT.problem;
  }
}

/** start-streaming refused the call (bad credentials, unknown call…): the command fails. */
class StartFailed extends Error {}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof UsageError) {
    console.error(`${message} (--help lists the options)`);
    process.exit(EXIT.usage);
  }
  console.error(error instanceof StartFailed ? message : `call failed: ${message}`);
  process.exit(EXIT.problem);
});
