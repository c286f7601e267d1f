import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApiCredential } from '../config/api.ts';

/** Who a request acts for once its `asapp-api-id` / `asapp-api-secret` pair has been accepted. */
export interface Principal {
  apiId: string;
  tenant: string;
}

export type CredentialVerifier = (apiId: string | undefined, apiSecret: string | undefined) => Principal | undefined;

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Compares the presented pair with every configured pair in constant time. Values are hashed first
 * so the comparison runs over equal-length digests and a secret's length does not leak; every pair is
 * compared, so the time does not reveal which id matched either.
 */
export function createCredentialVerifier(credentials: readonly ApiCredential[]): CredentialVerifier {
  const expected = credentials.map((c) => ({ id: digest(c.id), secret: digest(c.secret), principal: { apiId: c.id, tenant: c.tenant } }));
  return (apiId, apiSecret) => {
    if (!apiId || !apiSecret) return undefined;
    const id = digest(apiId);
    const secret = digest(apiSecret);
    let match: Principal | undefined;
    for (const pair of expected) {
      const idOk = timingSafeEqual(id, pair.id);
      const secretOk = timingSafeEqual(secret, pair.secret);
      if (idOk && secretOk && !match) match = pair.principal;
    }
    return match;
  };
}
