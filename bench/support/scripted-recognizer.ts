import type { Role } from '#core/domain/participant.ts';
import { samplesToMs } from '#gateway/audio/timeline.ts';
import type { RecognitionListener, RecognitionOptions, RecognitionSession, Recognizer } from '#gateway/recognition/recognizer.ts';

/**
 * The soak benchmark's engine: recognizes nothing, but emits one scripted final per participant for
 * every `everyMs` of audio it is given, placed on the call timeline, so the whole pipeline (sink,
 * store, queue, webhook) carries a known number of utterances. Costs no more CPU than counting.
 */
export class ScriptedRecognizer implements Recognizer {
  emitted = 0;
  openSessions = 0;

  constructor(private readonly everyMs = 3_000) {}

  open(_options: RecognitionOptions, listener: RecognitionListener): RecognitionSession {
    this.openSessions++;
    const heard = new Map<Role, { startSample: number | undefined; samples: number; n: number }>();
    return {
      write: (role, pcm, startSample) => {
        const state = heard.get(role) ?? { startSample: undefined, samples: 0, n: 0 };
        heard.set(role, state);
        state.startSample ??= startSample;
        state.samples += pcm.length;
        const end = startSample + pcm.length;
        if (samplesToMs(state.samples) < this.everyMs) return;
        const startMs = Math.round(samplesToMs(state.startSample));
        state.n++;
        this.emitted++;
        listener.onResult({
          role,
          text: `this is scripted utterance ${state.n} from the ${role}`,
          startMs,
          endMs: Math.round(samplesToMs(end)),
          confidence: 0.9,
        });
        state.startSample = undefined;
        state.samples = 0;
      },
      end: async () => {
        this.openSessions--;
      },
    };
  }

  async close(): Promise<void> {}
}
