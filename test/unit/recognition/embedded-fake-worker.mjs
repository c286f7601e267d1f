// A stand-in decoder worker speaking the pool's protocol (decoder-protocol.ts) without PocketSphinx, so
// the pool's scheduling and failure handling can be tested quickly and deterministically.
// Its "transcript" describes the audio it was given: `n<samples> s<checksum> m<mean[0]>`.
// A sample equal to CRASH throws inside the worker, HANG spins forever, SLOW makes the end take 300 ms.
import { parentPort, workerData } from 'node:worker_threads';

const CRASH = 32123;
const HANG = 32124;
const SLOW = 32125;
const port = parentPort;

if (workerData?.failStart) {
  port.postMessage({ type: 'failed', message: 'fake: library missing', unavailable: true });
  port.close();
} else {
  port.postMessage({ type: 'ready', loadMs: 0, speakerMeans: true });
  let job;
  let chunks = [];
  let mean;
  port.on('message', (message) => {
    switch (message.type) {
      case 'start':
        job = message.job;
        chunks = [];
        mean = message.mean;
        return;
      case 'audio':
        if (message.job !== job) return;
        chunks.push(message.pcm);
        if (message.pcm.includes(CRASH)) throw new Error('fake decoder crash');
        if (message.pcm.includes(HANG)) for (;;);
        return;
      case 'end': {
        if (message.job !== job) return;
        let n = 0;
        let sum = 0;
        let slow = false;
        for (const chunk of chunks) {
          for (const sample of chunk) {
            sum = (sum * 31 + sample + 65536) % 1000000007;
            if (sample === SLOW) slow = true;
          }
          n += chunk.length;
        }
        if (slow) {
          const until = Date.now() + 300;
          while (Date.now() < until);
        }
        const next = new Float32Array(13);
        next[0] = (mean?.[0] ?? 0) + 1;
        port.postMessage({
          type: 'result',
          job,
          utterance: { text: `n${n} s${sum} m${mean ? mean[0] : 'none'}`, words: [], confidence: 1 },
          mean: next,
          busyMs: 1,
          finishMs: 1,
        });
        job = undefined;
        chunks = [];
        return;
      }
      case 'abort': {
        const returned = message.job === job ? chunks : [];
        if (message.job === job) {
          job = undefined;
          chunks = [];
        }
        port.postMessage(
          { type: 'aborted', job: message.job, chunks: returned },
          returned.map((c) => c.buffer),
        );
        return;
      }
      case 'ping':
        port.postMessage({ type: 'pong', seq: message.seq });
        return;
    }
  });
}
