import { decodePathSegment } from '#core/http/request-target.ts';
import { API_ROUTES, type ApiRoute } from '#core/contract/routes.ts';

/** The local runtime's stand-in for API Gateway's routing: picks a route of the contract's table (core/contract/routes.ts). */

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
