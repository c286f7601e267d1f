import type { Utterance } from '../../core/domain/utterance.ts';
import { storedText } from '../../core/domain/utterance.ts';
import { formatDuration } from './duration.ts';

/**
 * A final utterance as a Transcription Connector `transcript` entity (audiohook-protocol.md §18), for
 * integrations that want transcripts back on the AudioHook session. The text is what may leave the
 * service under the span's redaction setting.
 */
export function transcriptEntity(utterance: Utterance, channelId: number, language: string): { type: 'transcript'; data: unknown } {
  return {
    type: 'transcript',
    data: {
      id: utterance.messageId,
      channelId,
      isFinal: true,
      offset: formatDuration(utterance.startMs / 1000),
      duration: formatDuration(Math.max(0, utterance.endMs - utterance.startMs) / 1000),
      alternatives: [
        {
          confidence: 1,
          languages: [language],
          interpretations: [{ type: 'display', transcript: storedText(utterance) }],
        },
      ],
    },
  };
}
