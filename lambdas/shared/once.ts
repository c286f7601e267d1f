/**
 * A Lambda's process-wide dependencies, built on first request (so configuration errors surface as a
 * 500, not a crash at import) and kept once built; a failed build is tried again on the next request.
 */
export function once<T>(create: () => T): () => T {
  let value: { built: T } | undefined;
  return () => (value ??= { built: create() }).built;
}
