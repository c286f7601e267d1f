import { useEffect, useRef, useState } from 'preact/hooks';

/**
 * Runs `read` now and then every `intervalMs` after each answer (never two at once), keeping the
 * last good value and the last error. The page's only way of getting updates: see docs/console.md §3.
 */
export interface Polled<T> {
  value: T | undefined;
  error: Error | undefined;
  loading: boolean;
  /** Read again now (after a button changed something). */
  refresh(): void;
}

export function usePoll<T>(read: () => Promise<T>, intervalMs: number, deps: unknown[] = []): Polled<T> {
  const [value, setValue] = useState<T | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const wake = useRef<() => void>(() => undefined);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    setValue(undefined);
    setLoading(true);
    const tick = async () => {
      clearTimeout(timer);
      try {
        const next = await read();
        if (stopped) return;
        setValue(next);
        setError(undefined);
      } catch (e) {
        if (stopped) return;
        setError(e instanceof Error ? e : new Error(String(e)));
      } finally {
        if (!stopped) {
          setLoading(false);
          timer = setTimeout(() => void tick(), intervalMs);
        }
      }
    };
    wake.current = () => void tick();
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
    // The caller's deps decide when polling restarts (the hooks lint rule cannot see through this).
  }, deps);

  return { value, error, loading, refresh: () => wake.current() };
}

/** Re-renders every `intervalMs` (durations that tick between polls). */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
