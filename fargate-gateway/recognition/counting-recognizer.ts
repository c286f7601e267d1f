import type { Role } from '#core/domain/participant.ts';
import type { RecognitionOptions, RecognitionSession, Recognizer } from './recognizer.ts';

/**
 * A recognizer that recognizes nothing and counts what it is given. It is the `RECOGNIZER=none`
 * engine (gateway capacity runs, deployments that only record audio statistics) and lets tests check
 * the audio path sample for sample.
 */
export class CountingRecognizer implements Recognizer {
  readonly samples: Record<Role, number> = { customer: 0, agent: 0 };
  /** Every write's position on the call timeline, for tests of the timeline rule. */
  readonly writes: Array<{ role: Role; startSample: number; length: number }> = [];
  openSessions = 0;
  constructor(private readonly keepWrites = false) {}

  open(_options: RecognitionOptions): RecognitionSession {
    this.openSessions++;
    return {
      // Only lengths and positions are kept.
      copiesInput: true,
      write: (role, pcm, startSample) => {
        this.samples[role] += pcm.length;
        if (this.keepWrites) this.writes.push({ role, startSample, length: pcm.length });
      },
      end: async () => {
        this.openSessions--;
      },
    };
  }

  async close(): Promise<void> {}
}
