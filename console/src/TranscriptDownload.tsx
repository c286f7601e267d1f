import type { ConsoleMessage } from './api.ts';
import { ROLE_LABEL, timelineTime } from './format.ts';

/** The transcript as stored, to keep: JSON (every field) or plain text. */
export function TranscriptDownload({ conversationId, messages }: { conversationId: string; messages: ConsoleMessage[] }) {
  if (messages.length === 0) return null;
  const json = () => new Blob([JSON.stringify({ conversationId, items: messages }, null, 2)], { type: 'application/json' });
  const text = () =>
    new Blob(
      [messages.map((m) => `[${timelineTime(m.startMs)}–${timelineTime(m.endMs)}] ${ROLE_LABEL[m.role]}: ${m.text}`).join('\n') + '\n'],
      { type: 'text/plain' },
    );
  return (
    <span class="downloads">
      <button type="button" onClick={() => save(json(), `${conversationId}.json`)}>
        Download JSON
      </button>{' '}
      <button type="button" onClick={() => save(text(), `${conversationId}.txt`)}>
        Download text
      </button>
    </span>
  );
}

function save(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
