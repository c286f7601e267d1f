import { createHmac } from 'node:crypto';
import { parseDictionary } from 'structured-headers';
import type { InnerList } from 'structured-headers';
import { buildSignatureBase, verifySignature } from '#gateway/audiohook/signature.ts';
import type { SignedRequest, VerifyOptions, VerifyResult } from '#gateway/audiohook/signature.ts';

/** The test vector of AudioHook §4.6, verbatim. */
export const V = {
  authority: 'audiohook.example.com',
  requestTarget: '/api/v1/voicebiometrics/ws',
  organizationId: 'd7934305-0972-4844-938e-9060eef73d05',
  sessionId: '30b0e395-84d3-4570-ac13-9a62d8f514c0',
  correlationId: 'e160e428-53e2-487c-977d-96989bf5c99d',
  apiKey: 'SGVsbG8sIEkgYW0gdGhlIEFQSSBrZXkh',
  secretBase64: 'TXlTdXBlclNlY3JldEtleVRlbGxOby0xITJAMyM0JDU=',
  secret: Buffer.from('MySuperSecretKeyTellNo-1!2@3#4$5', 'ascii'),
  nonce: 'VGhpc0lzQVVuaXF1ZU5vbmNl',
  created: 1641013200,
  expires: 3282026430,
  signatureInput:
    'sig1=("@request-target" "@authority" "audiohook-organization-id" "audiohook-session-id" "audiohook-correlation-id" "x-api-key");keyid="SGVsbG8sIEkgYW0gdGhlIEFQSSBrZXkh";nonce="VGhpc0lzQVVuaXF1ZU5vbmNl";alg="hmac-sha256";created=1641013200;expires=3282026430',
  signature: 'sig1=:NZBwyBHRRyRoeLqy1IzOa9VYBuI8TgMFt2GRDkDuJh4=:',
  base: [
    '"@request-target": /api/v1/voicebiometrics/ws',
    '"@authority": audiohook.example.com',
    '"audiohook-organization-id": d7934305-0972-4844-938e-9060eef73d05',
    '"audiohook-session-id": 30b0e395-84d3-4570-ac13-9a62d8f514c0',
    '"audiohook-correlation-id": e160e428-53e2-487c-977d-96989bf5c99d',
    '"x-api-key": SGVsbG8sIEkgYW0gdGhlIEFQSSBrZXkh',
    '"@signature-params": ("@request-target" "@authority" "audiohook-organization-id" "audiohook-session-id" "audiohook-correlation-id" "x-api-key");keyid="SGVsbG8sIEkgYW0gdGhlIEFQSSBrZXkh";nonce="VGhpc0lzQVVuaXF1ZU5vbmNl";alg="hmac-sha256";created=1641013200;expires=3282026430',
  ].join('\n'),
} as const;

/** A `now` inside the vector's validity window (1641013197..1641013207). */
export const NOW = V.created + 2;

/** A second configured key with its own secret, and a key configured without one. */
export const OTHER_KEY = 'b3RoZXIta2V5LWZvci10ZXN0cw==';
export const OTHER_SECRET = Buffer.from('another secret of 32 bytes long!', 'ascii');
export const UNSIGNED_KEY = 'unsigned-key';

export const COMPONENTS = [
  '@request-target',
  '@authority',
  'audiohook-organization-id',
  'audiohook-session-id',
  'audiohook-correlation-id',
  'x-api-key',
] as const;

export const PARAMS = `;keyid="${V.apiKey}";nonce="${V.nonce}";alg="hmac-sha256";created=${V.created};expires=${V.expires}`;

/** Inner-list text: the quoted components then the raw parameter text. */
export function member(components: readonly string[] = COMPONENTS, params: string = PARAMS): string {
  return `(${components.map((c) => `"${c}"`).join(' ')})${params}`;
}

/** The vector's request without signature headers. */
export function unsignedRequest(apiKey: string = V.apiKey): SignedRequest {
  return {
    requestTarget: V.requestTarget,
    authority: V.authority,
    headers: {
      host: V.authority,
      'audiohook-organization-id': V.organizationId,
      'audiohook-session-id': V.sessionId,
      'audiohook-correlation-id': V.correlationId,
      'x-api-key': apiKey,
    },
  };
}

/** The vector's request exactly as Genesys would send it. */
export function vectorRequest(): SignedRequest {
  const request = unsignedRequest();
  request.headers['signature-input'] = V.signatureInput;
  request.headers.signature = V.signature;
  return request;
}

/**
 * Signs `request` the way a conforming signer would, for an arbitrary Signature-Input member (used to
 * show that a check rejects even a correctly signed request). Returns the request with both headers.
 */
export function signWith(request: SignedRequest, memberText: string, secret: Buffer = V.secret, label = 'sig1'): SignedRequest {
  const inputHeader = `${label}=${memberText}`;
  const parsed = parseDictionary(inputHeader).get(label) as InnerList;
  const base = buildSignatureBase(request, parsed);
  if (typeof base !== 'string') throw new Error(`fixture cannot sign: ${base.reason}`);
  const mac = createHmac('sha256', secret).update(base).digest('base64');
  return { ...request, headers: { ...request.headers, 'signature-input': inputHeader, signature: `${label}=:${mac}:` } };
}

export function lookup(apiKey: string): Buffer | null | undefined {
  if (apiKey === V.apiKey) return V.secret;
  if (apiKey === OTHER_KEY) return OTHER_SECRET;
  if (apiKey === UNSIGNED_KEY) return null;
  return undefined;
}

export function verify(request: SignedRequest, options: Partial<VerifyOptions> = {}): VerifyResult {
  return verifySignature(request, lookup, { now: () => NOW, ...options });
}

/** Copy of `request` with some headers replaced (undefined deletes). */
export function withHeaders(request: SignedRequest, changes: Record<string, string | string[] | undefined>): SignedRequest {
  const headers = { ...request.headers, ...changes };
  for (const [name, value] of Object.entries(changes)) if (value === undefined) delete headers[name];
  return { ...request, headers };
}
