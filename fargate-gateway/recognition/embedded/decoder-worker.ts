import { parentPort, workerData } from 'node:worker_threads';
import type { DecoderWorkerData, FromWorker, ToWorker } from './decoder-protocol.ts';
import { PocketSphinxDecoder } from './pocketsphinx-decoder.ts';
import { PocketSphinxUnavailableError } from './pocketsphinx.ts';
import { SegmentDecoding } from './segment-decoding.ts';

/**
 * A decoder worker thread: owns one PocketSphinx decoder and decodes one segment at a time for the pool.
 * It does not log; everything goes back to the pool, which does.
 */

const port = parentPort!;
const data = workerData as DecoderWorkerData;

function post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

function createDecoder(): PocketSphinxDecoder | undefined {
  try {
    const started = performance.now();
    const created = new PocketSphinxDecoder(data.paths, data.search);
    post({ type: 'ready', loadMs: performance.now() - started, speakerMeans: created.speakerMeans });
    return created;
  } catch (error) {
    post({
      type: 'failed',
      message: error instanceof Error ? error.message : String(error),
      unavailable: error instanceof PocketSphinxUnavailableError,
    });
    // Closing the port lets the thread end.
    port.close();
    return undefined;
  }
}

const created = createDecoder();
if (created) serve(created);

function serve(decoder: PocketSphinxDecoder): void {
  let job: { id: number; decoding: SegmentDecoding; busyMs: number } | undefined;

  function fail(id: number, error: unknown): void {
    job?.decoding.abort();
    job = undefined;
    post({ type: 'error', job: id, message: error instanceof Error ? error.message : String(error) });
  }

  port.on('message', (message: ToWorker) => {
    if (message.type === 'ping') {
      post({ type: 'pong', seq: message.seq });
      return;
    }
    if (message.type === 'abort') {
      const returned = message.job === job?.id ? job.decoding.chunks : [];
      if (message.job === job?.id) {
        job.decoding.abort();
        job = undefined;
      }
      post(
        { type: 'aborted', job: message.job, chunks: returned },
        returned.map((c) => c.buffer as ArrayBuffer),
      );
      return;
    }
    const started = performance.now();
    try {
      if (message.type === 'start') {
        job = undefined; // a start that fails must not leave the previous job current
        job = { id: message.job, decoding: new SegmentDecoding(decoder, message.mean), busyMs: 0 };
      } else if (message.job !== job?.id) {
        return;
      } else if (message.type === 'audio') {
        job.decoding.add(message.pcm);
      } else if (message.type === 'settle') {
        job.decoding.finish();
      } else {
        const { utterance, mean } = job.decoding.finish();
        const finishMs = performance.now() - started;
        const busyMs = job.busyMs + finishMs;
        job = undefined;
        post({ type: 'result', job: message.job, utterance, mean, busyMs, finishMs }, mean ? [mean.buffer as ArrayBuffer] : []);
        return;
      }
      job.busyMs += performance.now() - started;
    } catch (error) {
      fail(message.job, error);
    }
  });
}
