import '../quiet-logs.ts';
import { TranscribeStandIn } from './server.ts';

/**
 * The Transcribe streaming stand-in on its own, in its own process (benchmarks keep its work off the
 * gateway's cores' event loop):  tsx local/transcribe-standin/main.ts [engine|echo] [port]
 * Prints one JSON line with its URL, then serves until SIGINT/SIGTERM.
 */
const mode = process.argv[2] ?? 'echo';
if (mode !== 'engine' && mode !== 'echo') {
  console.error('usage: tsx local/transcribe-standin/main.ts [engine|echo] [port]');
  process.exit(2);
}
const standIn = await TranscribeStandIn.start({ mode, port: Number(process.argv[3] ?? 0), host: process.env.LOCAL_HOST ?? '127.0.0.1' });
console.log(JSON.stringify({ transcribeStandIn: standIn.url, mode }));
const stop = (): void => void standIn.stop().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
