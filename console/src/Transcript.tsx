import { useEffect, useRef } from 'preact/hooks';
import type { ConsoleMessage } from './api.ts';
import { ROLE_LABEL, timelineTime } from './format.ts';

/** The call as a two-party conversation: customer on the left, agent on the right, audio-timeline times. */
export function Transcript({ messages, follow }: { messages: ConsoleMessage[]; follow: boolean }) {
  const end = useRef<HTMLLIElement>(null);
  useEffect(() => {
    if (follow) end.current?.scrollIntoView({ block: 'nearest' });
  }, [messages.length, follow]);
  return (
    <ol class="transcript" aria-label="Transcript" aria-live={follow ? 'polite' : 'off'}>
      {messages.map((m) => (
        <li key={m.messageId} class={`utterance utterance-${m.role}`} data-role={m.role} data-message-id={m.messageId}>
          <div class="utterance-meta">
            <span class="speaker">{ROLE_LABEL[m.role]}</span>{' '}
            <time class="mono" title="Position on the call's audio timeline">
              {timelineTime(m.startMs)}–{timelineTime(m.endMs)}
            </time>{' '}
            <DeliveryChip message={m} />
          </div>
          <p class="utterance-text">{m.text || <em class="muted">(nothing recognised)</em>}</p>
        </li>
      ))}
      <li ref={end} aria-hidden="true" class="transcript-end" />
    </ol>
  );
}

function DeliveryChip({ message }: { message: ConsoleMessage }) {
  const d = message.delivery;
  if (!d)
    return (
      <span class="chip chip-pending" data-delivery="pending">
        webhook pending
      </span>
    );
  const label =
    d.outcome === 'delivered'
      ? `delivered ${d.status ?? ''}`
      : d.outcome === 'failed'
        ? `failed ${d.status ?? d.reason}`
        : 'dropped (deadline)';
  return (
    <span
      class={`chip chip-${d.outcome}`}
      data-delivery={d.outcome}
      title={`${d.reason}, attempt ${d.attempt}${d.latencyMs !== undefined ? `, ${d.latencyMs} ms` : ''}`}
    >
      {label.trim()}
    </span>
  );
}
