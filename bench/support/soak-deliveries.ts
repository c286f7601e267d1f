import { Worker } from 'node:worker_threads';

/**
 * The soak's count of webhook deliveries, kept on a thread of its own: per stream, how often each
 * utterance (by its start, a multiple of the script's 3 s) arrived. Tens of thousands of streams' worth
 * of bookkeeping would otherwise grow the very heap the benchmark measures (≈ 5.5 MB over a
 * 10-minute run at a thousand calls, a tenth of the system's heap). The receiver's thread only queues
 * (streamId, start) pairs and hands them over every 100 ms.
 */
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const slots = workerData.slotsPerStream;
const perStream = new Map();
let unique = 0;
parentPort.on('message', (m) => {
  if (m === 'count') return parentPort.postMessage(unique);
  for (let i = 0; i < m.length; i += 2) {
    const k = Math.floor(m[i + 1] / 3000);
    let seen = perStream.get(m[i]);
    if (!seen || k >= seen.length) {
      const grown = new Uint8Array(Math.max(k + 1, slots));
      if (seen) grown.set(seen);
      perStream.set(m[i], (seen = grown));
    }
    if (seen[k]++ === 0) unique++;
  }
});
`;

export class DeliveryCounter {
  /** Every delivery, duplicates included. */
  delivered = 0;
  private readonly worker: Worker;
  private pending: Array<string | number> = [];
  private readonly timer: NodeJS.Timeout;

  constructor(callSeconds: number) {
    this.worker = new Worker(THREAD, { eval: true, workerData: { slotsPerStream: Math.ceil(callSeconds / 3) + 2 } });
    this.worker.unref();
    this.timer = setInterval(() => this.hand(), 100);
    this.timer.unref();
  }

  record(streamId: string, startMs: number): void {
    this.delivered++;
    this.pending.push(streamId, startMs);
  }

  /** Utterances delivered at least once, counting everything recorded so far. */
  async unique(): Promise<number> {
    this.hand();
    const answer = new Promise<number>((resolve) => this.worker.once('message', resolve));
    this.worker.postMessage('count');
    return answer;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.worker.terminate();
  }

  private hand(): void {
    if (this.pending.length === 0) return;
    this.worker.postMessage(this.pending);
    this.pending = [];
  }
}
