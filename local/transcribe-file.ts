import type { Role } from '#core/domain/participant.ts';
import type { RedactionOutput } from '#core/domain/transcription.ts';
import { storedText } from '#core/domain/utterance.ts';
import { DEFAULT_REDACTION, renderUtteranceText } from '#core/text/pipeline.ts';
import { splitChannels } from '#gateway/audio/deinterleave.ts';
import type { RecognitionResult, Recognizer } from '#gateway/recognition/recognizer.ts';
import type { CallAudio } from './simulator/wav-source.ts';

/**
 * Offline transcription of one recording with the gateway's own audio path, engine, segmentation,
 * smart formatting and redaction: what `npm run transcribe` prints, and what tests check a file with.
 */

export interface FileUtterance {
  role: Role;
  /** 0 = left (customer), 1 = right (agent). */
  channel: number;
  start: number;
  end: number;
  /** Per `redaction`: masked for `redacted` and `redacted_and_unredacted`, raw for `unredacted`. */
  text: string;
  /** Only for `redacted_and_unredacted`. */
  unredactedText?: string;
}

export interface TranscribeFileOptions {
  recognizer: Recognizer;
  language?: string;
  redaction?: RedactionOutput;
  /** Audio per write, as the gateway receives it (default 200 ms). */
  chunkMs?: number;
}

export async function transcribeFile(audio: CallAudio, options: TranscribeFileOptions): Promise<FileUtterance[]> {
  const roles: Role[] = audio.channels === 2 ? ['customer', 'agent'] : ['customer'];
  const redaction = options.redaction ?? 'redacted';
  const results: RecognitionResult[] = [];
  const errors: string[] = [];
  const session = options.recognizer.open(
    { conversationId: 'offline', language: options.language ?? 'en-US', sampleRate: 8000, roles, wordTimings: false },
    { onResult: (r) => results.push(r), onError: (role, error) => errors.push(`${role}: ${error.message} (${error.statusCode})`) },
  );
  const samplesPerChunk = 8 * (options.chunkMs ?? 200);
  const bytesPerChunk = samplesPerChunk * audio.channels;
  for (let offset = 0, sample = 0; offset < audio.mulaw.length; offset += bytesPerChunk, sample += samplesPerChunk) {
    const { channels, samplesPerChannel } = splitChannels(audio.mulaw.subarray(offset, offset + bytesPerChunk), audio.channels);
    channels.forEach((pcm, i) => session.write(roles[i], pcm, sample));
    if (samplesPerChannel < samplesPerChunk) break;
  }
  await session.end();
  if (errors.length > 0 && results.length === 0) throw new Error(`recognition failed: ${errors.join('; ')}`);

  return results
    .sort((a, b) => a.startMs - b.startMs || a.role.localeCompare(b.role))
    .map((result) => {
      const rendered = renderUtteranceText(result, { redaction: DEFAULT_REDACTION, wantTokens: false });
      const utterance: FileUtterance = {
        role: result.role,
        channel: roles.indexOf(result.role),
        start: result.startMs,
        end: result.endMs,
        text: storedText({ redactionOutput: redaction, ...rendered }),
      };
      if (redaction === 'redacted_and_unredacted') utterance.unredactedText = rendered.rawText;
      return utterance;
    })
    .filter((u) => u.text.trim().length > 0);
}
