/**
 * Runs `work` on every item with at most `limit` running at once, in order of the items; resolves when
 * all have finished. A rejection is not caught here: `work` reports its own failures.
 */
export async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
}
