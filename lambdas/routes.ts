import { decodePathSegment } from '../core/http/request-target.ts';

/**
 * The public HTTP API: which Lambda serves which route. The CDK stack declares these resources on API
 * Gateway and the local runtime routes real HTTP requests with the same table, so the two cannot
 * drift. Every path is also served with a trailing slash (api-contract.md §1.3).
 */

export type ApiLambda = 'start-streaming' | 'stop-streaming' | 'conversation-messages' | 'file-exporter';

export interface ApiRoute {
  method: 'GET' | 'POST';
  /** API Gateway resource path; `{name}` is a path parameter. */
  resource: string;
  lambda: ApiLambda;
}

export const API_ROUTES: readonly ApiRoute[] = [
  { method: 'POST', resource: '/mg-autotranscribe/v1/start-streaming', lambda: 'start-streaming' },
  { method: 'POST', resource: '/mg-autotranscribe/v1/stop-streaming', lambda: 'stop-streaming' },
  { method: 'GET', resource: '/conversation/v1/conversation/messages', lambda: 'conversation-messages' },
  { method: 'POST', resource: '/fileexporter/v1/static/{operation}', lambda: 'file-exporter' },
];

export interface RouteMatch {
  route: ApiRoute;
  pathParameters: Record<string, string> | null;
}

/** The route for a request path (with or without a trailing slash), as API Gateway would choose it. */
export function matchRoute(method: string, path: string): RouteMatch | undefined {
  const segments = path.replace(/\/+$/, '').split('/');
  for (const route of API_ROUTES) {
    if (route.method !== method.toUpperCase()) continue;
    const pattern = route.resource.split('/');
    if (pattern.length !== segments.length) continue;
    const parameters: Record<string, string> = {};
    const matches = pattern.every((part, i) => {
      const param = /^\{(\w+)\}$/.exec(part);
      if (param) {
        const value = decodePathSegment(segments[i]);
        if (value === undefined || value === '') return false;
        parameters[param[1]] = value;
        return true;
      }
      return part === segments[i];
    });
    if (matches) return { route, pathParameters: Object.keys(parameters).length > 0 ? parameters : null };
  }
  return undefined;
}

