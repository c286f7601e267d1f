import { useEffect, useState } from 'preact/hooks';

/** Page paths under the console's base (/console/): '', 'calls/ID', 'find?id=…', 'files'. */
const BASE = import.meta.env.BASE_URL;

export interface Route {
  page: 'live' | 'call' | 'find' | 'files' | 'unknown';
  id?: string;
}

function parseRoute(pathname: string, search: string): Route {
  const path = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname.replace(/^\//, '');
  if (path === '' || path === 'index.html') return { page: 'live' };
  const call = /^calls\/([^/]+)\/?$/.exec(path);
  if (call) return { page: 'call', id: decodeURIComponent(call[1]!) };
  if (path === 'find') return { page: 'find', id: new URLSearchParams(search).get('id') ?? undefined };
  if (path === 'files') return { page: 'files' };
  return { page: 'unknown' };
}

export function href(path: string): string {
  return `${BASE}${path}`;
}

export function navigate(path: string): void {
  history.pushState(null, '', href(path));
  dispatchEvent(new PopStateEvent('popstate'));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.pathname, location.search));
  useEffect(() => {
    const update = () => setRoute(parseRoute(location.pathname, location.search));
    addEventListener('popstate', update);
    return () => removeEventListener('popstate', update);
  }, []);
  return route;
}

/** A same-page link: plain <a href> for the browser (new tab, copy link), pushState on a plain click. */
export function onLinkClick(path: string) {
  return (event: MouseEvent) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(path);
  };
}
