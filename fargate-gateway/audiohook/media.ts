import type { AudioHookChannel } from '#core/domain/participant.ts';
import type { MediaFormat } from './messages.ts';

/** A media entry we can decode: PCMU at 8 kHz with one or two known channels. */
export interface SelectedMedia {
  /** The offered entry, to be echoed field for field in `opened` (strict clients compare it). */
  offered: MediaFormat;
  channels: AudioHookChannel[];
}

function usable(m: MediaFormat): boolean {
  const known = m.channels.every((c) => c === 'external' || c === 'internal');
  const distinct = new Set(m.channels).size === m.channels.length;
  return (
    m.type === 'audio' &&
    m.format === 'PCMU' &&
    m.rate === 8000 &&
    known &&
    distinct &&
    (m.channels.length === 1 || m.channels.length === 2)
  );
}

/**
 * §8.1: prefer stereo PCMU in the order offered, else mono PCMU, never L16 (its byte order is
 * unconfirmed). `undefined` means answer `media: []`.
 */
export function selectMedia(offers: readonly MediaFormat[]): SelectedMedia | undefined {
  const candidates = offers.filter(usable);
  const chosen = candidates.find((m) => m.channels.length === 2) ?? candidates[0];
  return chosen ? { offered: chosen, channels: chosen.channels as AudioHookChannel[] } : undefined;
}
