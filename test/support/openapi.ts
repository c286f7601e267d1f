import { compileErrors, validate } from '@readme/openapi-parser';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { ApiRoute } from '#core/contract/routes.ts';

/** Checks against the OpenAPI document: the document itself, and real answers against the schemas it gives them. */

/** Problems the OpenAPI 3.1 validator finds (its schema, and rules such as unique operationIds and declared path parameters). */
export async function openApiProblems(document: object): Promise<string | undefined> {
  // The validator dereferences what it is given in place.
  const result = await validate(structuredClone(document) as never);
  return result.valid && result.warnings.length === 0 ? undefined : compileErrors(result);
}

type Route = Pick<ApiRoute, 'method' | 'resource'>;

/**
 * Validates an answer against the schema the document gives the route's status; undefined when it
 * conforms, else ajv's errors. A status the document does not list for the route is a problem too.
 */
export function responseChecker(document: { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> }) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema(document, 'openapi.json');
  return (route: Route, status: number, body: unknown): string | undefined => {
    const responses = document.paths[route.resource]?.[route.method.toLowerCase()]?.responses;
    const response = responses?.[String(status)] as { content?: Record<string, unknown> } | undefined;
    if (!response) return `${route.method} ${route.resource}: status ${status} is not documented`;
    if (!response.content) return body === undefined || body === '' ? undefined : `status ${status} documents no body`;
    const at = ['paths', route.resource, route.method.toLowerCase(), 'responses', String(status), 'content', 'application/json', 'schema'];
    return checkAt(ajv, at, body);
  };
}

/** Validates webhook bodies against the document's `webhooks.transcript` request schema. */
export function webhookChecker(document: object) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema(document, 'openapi.json');
  return (body: unknown): string | undefined =>
    checkAt(ajv, ['webhooks', 'transcript', 'post', 'requestBody', 'content', 'application/json', 'schema'], body);
}

function checkAt(ajv: Ajv2020, path: string[], value: unknown): string | undefined {
  const pointer = path.map((part) => part.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');
  const check = ajv.getSchema(`openapi.json#/${pointer}`);
  if (!check) return `no schema at ${pointer}`;
  return check(value) ? undefined : ajv.errorsText(check.errors, { separator: '\n' });
}
