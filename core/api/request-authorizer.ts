import type { Principal } from './auth.ts';
import type { CredentialsProvider } from './credentials.ts';

/** The request as API Gateway hands it to a REQUEST authorizer: the method's ARN and the headers. */
export interface AuthorizerRequest {
  methodArn: string;
  headers: Readonly<Record<string, string | undefined>> | null | undefined;
}

export interface AuthorizerResult {
  principalId: string;
  policyDocument: {
    Version: '2012-10-17';
    Statement: Array<{ Action: 'execute-api:Invoke'; Effect: 'Allow'; Resource: string }>;
  };
  /** Reaches the integration as `requestContext.authorizer` (and the access log). */
  context: { apiId: string; tenant: string };
}

/**
 * API Gateway answers UNAUTHORIZED (401, the contract's 401-01 envelope) when a REQUEST authorizer
 * fails with exactly this message; any other failure is a 500.
 */
export const UNAUTHORIZED = 'Unauthorized';

/** The credential headers of the contract, which are also the authorizer's identity sources (its cache key). */
export const CREDENTIAL_HEADERS = { id: 'asapp-api-id', secret: 'asapp-api-secret' } as const;

/** Longest header value looked at: a real id or secret is far shorter; anything longer is refused unread. */
const MAX_CREDENTIAL_CHARS = 512;

/**
 * The public API's edge check: the `asapp-api-id` / `asapp-api-secret` pair against the configured
 * pairs (constant-time, core/api/auth.ts). A known pair is allowed every method of the stage, so the
 * cached result (keyed by both headers) serves every route; anything else is refused with
 * {@link UNAUTHORIZED}. Unauthenticated requests therefore never invoke the route Lambdas.
 */
export async function authorizeRequest(request: AuthorizerRequest, credentials: CredentialsProvider): Promise<AuthorizerResult> {
  const id = headerValue(request.headers, CREDENTIAL_HEADERS.id);
  const secret = headerValue(request.headers, CREDENTIAL_HEADERS.secret);
  const principal: Principal | undefined = id && secret ? await credentials.verify(id, secret) : undefined;
  if (!principal) throw new Error(UNAUTHORIZED);
  return {
    principalId: principal.apiId,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: stageArn(request.methodArn) }],
    },
    context: { apiId: principal.apiId, tenant: principal.tenant },
  };
}

function headerValue(headers: AuthorizerRequest['headers'], name: string): string | undefined {
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (key.toLowerCase() === name && typeof value === 'string' && value.length > 0 && value.length <= MAX_CREDENTIAL_CHARS) return value;
  }
  return undefined;
}

/** `arn:aws:execute-api:region:account:api/stage/METHOD/path` → `arn:aws:execute-api:region:account:api/stage/*`. */
function stageArn(methodArn: string): string {
  const [apiArn, stage] = methodArn.split('/');
  if (!apiArn?.startsWith('arn:') || !stage) throw new Error(`not a method ARN: ${methodArn.slice(0, 200)}`);
  return `${apiArn}/${stage}/*`;
}
