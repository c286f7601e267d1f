import type { TranscribeStreamingClientConfig } from '@aws-sdk/client-transcribe-streaming';
import { logger } from '#core/logger.ts';

/**
 * Routes the SDK's own warnings and errors into the structured log instead of the console (its
 * default when no logger is given). Debug and info are dropped: the SDK logs command inputs and
 * outputs there, which is noise at best and must never risk carrying transcript text.
 */
export const sdkLogger: NonNullable<TranscribeStreamingClientConfig['logger']> = {
  debug: () => undefined,
  info: () => undefined,
  warn: (...content: unknown[]) => logger.warn('AWS SDK warning', { detail: summarize(content) }),
  error: (...content: unknown[]) => logger.error('AWS SDK error', { detail: summarize(content) }),
};

function summarize(content: unknown[]): string {
  return content.map((part) => (typeof part === 'string' ? part : part instanceof Error ? part.name : typeof part)).join(' ');
}
