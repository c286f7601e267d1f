import type { IncomingMessage } from 'node:http';

/**
 * Request targets as clients send them, parsed without throwing: `//`, `%ZZ` or an absolute form are
 * input like any other, answered 400/404 by the route that sees them, never an exception.
 */

/** The path and query of a request target. */
export function requestTarget(req: Pick<IncomingMessage, 'url'>): { path: string; query: URLSearchParams } {
  const raw = req.url ?? '/';
  const mark = raw.indexOf('?');
  return { path: mark < 0 ? raw : raw.slice(0, mark), query: new URLSearchParams(mark < 0 ? '' : raw.slice(mark + 1)) };
}

/** A percent-decoded path segment, or undefined when it is not valid percent-encoding. */
export function decodePathSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
