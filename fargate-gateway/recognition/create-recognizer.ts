import type { GatewayConfig } from '../config.ts';
import { CountingRecognizer } from './counting-recognizer.ts';
import type { Recognizer } from './recognizer.ts';

/**
 * The engine chosen by `RECOGNIZER`. Engines are imported lazily: the embedded engine loads native
 * libraries and the Transcribe engine an SDK, and neither should be a cost where it is not used.
 */
export async function createRecognizer(kind: GatewayConfig['RECOGNIZER']): Promise<Recognizer> {
  switch (kind) {
    case 'none':
      return new CountingRecognizer();
    case 'embedded': {
      const { createEmbeddedRecognizer } = await import('./embedded/embedded-recognizer.ts');
      return createEmbeddedRecognizer();
    }
    case 'transcribe': {
      const { createTranscribeRecognizer } = await import('./transcribe/transcribe-recognizer.ts');
      return createTranscribeRecognizer();
    }
  }
}
