import { useEffect, useRef, useState } from 'preact/hooks';
import { api, byTimeline, type ConsoleMessage } from './api.ts';

/**
 * A call's messages as they are stored: reads `messages?after=cursor` every second and merges by
 * `messageId` (the route re-sends its last few seconds, with fresh delivery outcomes).
 */
export function useTranscript(
  conversationId: string,
  intervalMs = 1000,
): { messages: ConsoleMessage[]; error: Error | undefined; loaded: boolean } {
  const [messages, setMessages] = useState<ConsoleMessage[]>([]);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [loaded, setLoaded] = useState(false);
  const byId = useRef(new Map<string, ConsoleMessage>());

  useEffect(() => {
    let stopped = false;
    let cursor: string | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    byId.current = new Map();
    setMessages([]);
    setLoaded(false);
    const tick = async () => {
      try {
        const page = await api.messages(conversationId, cursor);
        if (stopped) return;
        let changed = false;
        for (const m of page.items) {
          const known = byId.current.get(m.messageId);
          if (!known || known.delivery?.outcome !== m.delivery?.outcome) changed = true;
          byId.current.set(m.messageId, m);
        }
        if (changed) setMessages(byTimeline([...byId.current.values()]));
        cursor = page.cursor ?? cursor;
        setError(undefined);
        setLoaded(true);
        // A full page means more is waiting: read on at once.
        timer = setTimeout(() => void tick(), page.items.length >= 500 ? 0 : intervalMs);
      } catch (e) {
        if (stopped) return;
        setError(e as Error);
        timer = setTimeout(() => void tick(), intervalMs * 3);
      }
    };
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [conversationId, intervalMs]);

  return { messages, error, loaded };
}
