import { createHmac } from 'node:crypto';
import { parseDictionary } from 'structured-headers';
import type { InnerList } from 'structured-headers';
import { describe, expect, it } from 'vitest';
import { NonceCache } from '#gateway/audiohook/nonce-cache.ts';
import {
  buildSignatureBase,
  canonicalHeaderValue,
  DEFAULT_SIGNATURE_LIFETIME,
  REQUIRED_COMPONENTS,
  signRequest,
  verifySignature,
} from '#gateway/audiohook/signature.ts';
import type { SignOptions } from '#gateway/audiohook/signature.ts';
import {
  COMPONENTS,
  lookup,
  member,
  NOW,
  OTHER_KEY,
  OTHER_SECRET,
  PARAMS,
  signWith,
  UNSIGNED_KEY,
  unsignedRequest,
  V,
  vectorRequest,
  verify,
  withHeaders,
} from './signature-fixtures.ts';

const parsedInput = (header: string, label = 'sig1') => parseDictionary(header).get(label) as InnerList;

const vectorSignOptions: SignOptions = {
  apiKey: V.apiKey,
  secret: V.secret,
  requestTarget: V.requestTarget,
  authority: V.authority,
  organizationId: V.organizationId,
  sessionId: V.sessionId,
  correlationId: V.correlationId,
  nonce: V.nonce,
  created: V.created,
  expires: V.expires,
};

describe('test vector (§4.6)', () => {
  it('decodes the documented secret to the documented HMAC key', () => {
    expect(Buffer.from(V.secretBase64, 'base64')).toEqual(V.secret);
    expect(V.secret).toHaveLength(32);
  });

  it('produces the exact signature base of the document', () => {
    expect(buildSignatureBase(vectorRequest(), parsedInput(V.signatureInput))).toBe(V.base);
  });

  it('whose HMAC is the documented signature', () => {
    const mac = createHmac('sha256', V.secret).update(V.base).digest('base64');
    expect(`sig1=:${mac}:`).toBe(V.signature);
  });

  it.each(Array.from({ length: 11 }, (_, i) => V.created - 3 + i))('verifies at now = %i', (now) => {
    expect(verify(vectorRequest(), { now: () => now })).toEqual({ ok: true, apiKey: V.apiKey, signed: true, warnings: [] });
  });

  it.each([
    [V.created - 4, 'PRECONDITION'],
    [V.created - 3.001, 'PRECONDITION'],
    [V.created - 100, 'PRECONDITION'],
    [V.created + 7.001, 'EXPIRED'],
    [V.created + 8, 'EXPIRED'],
    [Date.now() / 1000, 'EXPIRED'],
  ])('fails at now = %d with %s', (now, code) => {
    expect(verify(vectorRequest(), { now: () => now })).toMatchObject({ ok: false, code });
  });

  it('verifies at the fractional edges of the window', () => {
    expect(verify(vectorRequest(), { now: () => V.created - 3 }).ok).toBe(true);
    expect(verify(vectorRequest(), { now: () => V.created + 7 }).ok).toBe(true);
    expect(verify(vectorRequest(), { now: () => V.created + 6.999 }).ok).toBe(true);
  });

  it('reads the clock once, so all checks see the same instant', () => {
    let calls = 0;
    verify(vectorRequest(), { now: () => (calls++, NOW), nonceCache: new NonceCache() });
    expect(calls).toBe(1);
  });

  it('signRequest reproduces the documented headers byte for byte', () => {
    expect(signRequest(vectorSignOptions)).toEqual({ 'signature-input': V.signatureInput, signature: V.signature });
  });
});

describe('signature base', () => {
  it('re-serialises the inner list, so whitespace in the raw header does not matter', () => {
    const padded = V.signatureInput
      .replace('sig1=(', 'sig1=(   ')
      .replace('"@authority" ', '"@authority"      ')
      .replace('"x-api-key")', '"x-api-key"  )')
      .replace(';nonce', ';   nonce');
    expect(padded).not.toBe(V.signatureInput);
    expect(buildSignatureBase(vectorRequest(), parsedInput(padded))).toBe(V.base);
    const request = withHeaders(vectorRequest(), { 'signature-input': `  ${padded}  ` });
    expect(verify(request).ok).toBe(true);
  });

  it('keeps components and parameters in their listed order', () => {
    const components = [
      'x-api-key',
      '@authority',
      'audiohook-session-id',
      '@request-target',
      'audiohook-correlation-id',
      'audiohook-organization-id',
    ];
    const params = `;created=${V.created};nonce="${V.nonce}";keyid="${V.apiKey}"`;
    const base = buildSignatureBase(unsignedRequest(), parsedInput(`sig1=${member(components, params)}`));
    expect(base).toBe(
      [
        `"x-api-key": ${V.apiKey}`,
        `"@authority": ${V.authority}`,
        `"audiohook-session-id": ${V.sessionId}`,
        `"@request-target": ${V.requestTarget}`,
        `"audiohook-correlation-id": ${V.correlationId}`,
        `"audiohook-organization-id": ${V.organizationId}`,
        `"@signature-params": ${member(components, params)}`,
      ].join('\n'),
    );
  });

  it('has no trailing newline', () => {
    const base = buildSignatureBase(vectorRequest(), parsedInput(V.signatureInput)) as string;
    expect(base.endsWith('\n')).toBe(false);
    expect(base.split('\n')).toHaveLength(7);
  });

  it('uses the request target verbatim, query string included', () => {
    const request = { ...unsignedRequest(), requestTarget: '/ws?a=1&b=%20x' };
    const base = buildSignatureBase(request, parsedInput(V.signatureInput)) as string;
    expect(base.split('\n')[0]).toBe('"@request-target": /ws?a=1&b=%20x');
  });

  it('uses the authority verbatim (no case or port normalisation)', () => {
    const request = { ...unsignedRequest(), authority: 'AudioHook.Example.com:443' };
    const base = buildSignatureBase(request, parsedInput(V.signatureInput)) as string;
    expect(base.split('\n')[1]).toBe('"@authority": AudioHook.Example.com:443');
  });

  it('takes @authority from the authority, not from the Host header', () => {
    const request = withHeaders(vectorRequest(), { host: 'elsewhere.example.com' });
    expect(verify(request).ok).toBe(true);
  });

  it('reports a covered component absent from the request', () => {
    const request = withHeaders(unsignedRequest(), { 'audiohook-session-id': undefined });
    expect(buildSignatureBase(request, parsedInput(V.signatureInput))).toMatchObject({ ok: false, code: 'PRECONDITION' });
  });

  it('rejects a value that would inject a line into the base', () => {
    const request = withHeaders(unsignedRequest(), { 'audiohook-session-id': `${V.sessionId}\n"x-evil": 1` });
    expect(buildSignatureBase(request, parsedInput(V.signatureInput))).toMatchObject({ ok: false, code: 'INVALID' });
  });
});

describe('header canonicalisation (§4.3)', () => {
  it.each([
    ['abc', 'abc'],
    ['  abc\t ', 'abc'],
    ['\t a b  c \t', 'a b  c'],
    ['a\r\n b', 'a b'],
    ['a \t\r\n\t  b', 'a b'],
    ['a\r\n b\r\n\tc', 'a b c'],
    ['abc\r\n ', 'abc'],
    ['', ''],
    ['   ', ''],
  ])('canonicalises %j to %j', (raw, expected) => {
    expect(canonicalHeaderValue({ h: raw }, 'h')).toBe(expected);
  });

  it('joins several instances with ", " after canonicalising each', () => {
    expect(canonicalHeaderValue({ h: [' a ', 'b\r\n c', '  d'] }, 'h')).toBe('a, b c, d');
    expect(canonicalHeaderValue({ h: ['only'] }, 'h')).toBe('only');
  });

  it('treats an absent header or an empty list as absent', () => {
    expect(canonicalHeaderValue({}, 'h')).toBeUndefined();
    expect(canonicalHeaderValue({ h: undefined }, 'h')).toBeUndefined();
    expect(canonicalHeaderValue({ h: [] }, 'h')).toBeUndefined();
  });

  it('keeps whitespace that is not SP or HTAB (RFC 9110 OWS)', () => {
    expect(canonicalHeaderValue({ h: '\u00a0a\u00a0' }, 'h')).toBe('\u00a0a\u00a0');
  });

  it('verifies a request whose signed headers carry surrounding whitespace', () => {
    const request = withHeaders(vectorRequest(), {
      'audiohook-organization-id': `  ${V.organizationId}\t`,
      'audiohook-session-id': `\t${V.sessionId}`,
      'x-api-key': ` ${V.apiKey} `,
    });
    expect(verify(request)).toMatchObject({ ok: true, apiKey: V.apiKey });
  });

  it('covers repeated headers as one joined value', () => {
    const base = unsignedRequest();
    base.headers['x-multi'] = ['one', ' two '];
    const signed = signWith(base, member([...COMPONENTS, 'x-multi']));
    expect(verify(signed).ok).toBe(true);
    expect(verify(withHeaders(signed, { 'x-multi': 'one, two' })).ok).toBe(true);
    expect(verify(withHeaders(signed, { 'x-multi': ['two', 'one'] }))).toMatchObject({ code: 'FAILED' });
  });
});

describe('signRequest', () => {
  const base = { ...vectorSignOptions, nonce: undefined, created: undefined, expires: undefined } as SignOptions;

  it('round-trips through verifySignature on the real clock', () => {
    const request = { ...unsignedRequest(), headers: { ...unsignedRequest().headers, ...signRequest(base) } };
    expect(verifySignature(request, lookup, { now: () => Date.now() / 1000 })).toEqual({
      ok: true,
      apiKey: V.apiKey,
      signed: true,
      warnings: [],
    });
  });

  it('defaults like the reference client: 24-character nonce, created now, expires created + 30', () => {
    const before = Math.floor(Date.now() / 1000);
    const input = parsedInput(signRequest(base)['signature-input']);
    const after = Math.floor(Date.now() / 1000);
    const params = input[1];
    expect([...params.keys()]).toEqual(['keyid', 'nonce', 'alg', 'created', 'expires']);
    expect(params.get('keyid')).toBe(V.apiKey);
    expect(params.get('nonce')).toMatch(/^[A-Za-z0-9+/]{24}$/);
    expect(params.get('alg')).toBe('hmac-sha256');
    const created = params.get('created') as number;
    expect(created).toBeGreaterThanOrEqual(before);
    expect(created).toBeLessThanOrEqual(after);
    expect(params.get('expires')).toBe(created + DEFAULT_SIGNATURE_LIFETIME);
    expect(input[0].map(([name]) => name)).toEqual([...REQUIRED_COMPONENTS]);
  });

  it('draws a fresh nonce every time', () => {
    const nonces = new Set(Array.from({ length: 50 }, () => parsedInput(signRequest(base)['signature-input'])[1].get('nonce')));
    expect(nonces.size).toBe(50);
  });

  it('honours explicit created and expires, and floors a fractional created', () => {
    const params = parsedInput(signRequest({ ...base, created: 1700000000.9, expires: 1700000005 })['signature-input'])[1];
    expect(params.get('created')).toBe(1700000000);
    expect(params.get('expires')).toBe(1700000005);
  });

  it('signs the canonical header values', () => {
    const signed = signRequest({ ...vectorSignOptions, sessionId: `  ${V.sessionId} ` });
    expect(signed.signature).toBe(V.signature);
  });

  it('signs against the given secret only', () => {
    const signed = signRequest({ ...vectorSignOptions, secret: OTHER_SECRET });
    expect(signed.signature).not.toBe(V.signature);
    expect(verify(withHeaders(unsignedRequest(), { ...signed }))).toMatchObject({ ok: false, code: 'FAILED' });
  });

  it('refuses to sign an unrepresentable request', () => {
    expect(() => signRequest({ ...vectorSignOptions, requestTarget: '' })).toThrow(RangeError);
    expect(() => signRequest({ ...vectorSignOptions, sessionId: 'a\nb' })).toThrow(RangeError);
    expect(() => signRequest({ ...vectorSignOptions, apiKey: 'clé' })).toThrow();
  });
});

describe('label selection', () => {
  it('prefers sig1 wherever it appears', () => {
    const request = withHeaders(vectorRequest(), {
      'signature-input': `other=("x-api-key");created=1, ${V.signatureInput}`,
      signature: `other=:AAAA:, ${V.signature}`,
    });
    expect(verify(request).ok).toBe(true);
  });

  it('takes the first entry when there is no sig1', () => {
    const signed = signWith(unsignedRequest(), member(), V.secret, 'genesys');
    const request = withHeaders(signed, {
      'signature-input': `${String(signed.headers['signature-input'])}, later=("x-api-key")`,
      signature: `${String(signed.headers.signature)}, later=:AAAA:`,
    });
    expect(verify(request).ok).toBe(true);
  });

  it('ignores a malformed member under another label', () => {
    const request = withHeaders(vectorRequest(), {
      'signature-input': `${V.signatureInput}, junk="not a list"`,
      signature: `${V.signature}, junk=?0`,
    });
    expect(verify(request).ok).toBe(true);
  });

  it('joins several Signature-Input instances before parsing', () => {
    const request = withHeaders(vectorRequest(), {
      'signature-input': ['other=("x-api-key");created=1', V.signatureInput],
      signature: ['other=:AAAA:', V.signature],
    });
    expect(verify(request).ok).toBe(true);
  });
});

describe('tolerated variations', () => {
  it('accepts extra covered components', () => {
    const request = withHeaders(unsignedRequest(), { 'sec-websocket-version': '13' });
    const signed = signWith(request, member(['host', ...COMPONENTS, 'sec-websocket-version']));
    expect(verify(signed)).toEqual({ ok: true, apiKey: V.apiKey, signed: true, warnings: [] });
  });

  it('accepts the components in any order', () => {
    const signed = signWith(unsignedRequest(), member([...COMPONENTS].reverse()));
    expect(verify(signed).ok).toBe(true);
  });

  it('accepts unknown parameters and reports them as warnings (§16)', () => {
    const signed = signWith(unsignedRequest(), member(COMPONENTS, `${PARAMS};tag="genesys";flag;n=1.5`));
    const result = verify(signed);
    expect(result).toMatchObject({ ok: true, signed: true });
    expect(result.ok && result.warnings).toEqual([
      'unknown signature parameter "tag" ignored',
      'unknown signature parameter "flag" ignored',
      'unknown signature parameter "n" ignored',
    ]);
  });

  it('still covers unknown parameters with the MAC', () => {
    const signed = signWith(unsignedRequest(), member(COMPONENTS, `${PARAMS};tag="genesys"`));
    const altered = withHeaders(signed, { 'signature-input': (signed.headers['signature-input'] as string).replace('genesys', 'genesyz') });
    expect(verify(altered)).toMatchObject({ ok: false, code: 'FAILED' });
  });

  it('accepts a signature without expires (the age check alone applies)', () => {
    const signed = signWith(unsignedRequest(), member(COMPONENTS, PARAMS.replace(`;expires=${V.expires}`, '')));
    expect(verify(signed).ok).toBe(true);
    expect(verify(signed, { now: () => V.created + 8 })).toMatchObject({ code: 'EXPIRED' });
  });

  it('assumes hmac-sha256 when alg is absent', () => {
    const signed = signWith(unsignedRequest(), member(COMPONENTS, PARAMS.replace(';alg="hmac-sha256"', '')));
    expect(verify(signed).ok).toBe(true);
  });

  it('accepts a nonce of exactly 22 characters', () => {
    const signed = signWith(unsignedRequest(), member(COMPONENTS, PARAMS.replace(V.nonce, 'a'.repeat(22))));
    expect(verify(signed).ok).toBe(true);
  });

  it('accepts expires exactly 3 s ahead', () => {
    const signed = signWith(unsignedRequest(), member(COMPONENTS, PARAMS.replace(`expires=${V.expires}`, `expires=${NOW + 3}`)));
    expect(verify(signed).ok).toBe(true);
  });

  it('accepts a covered header whose value is empty', () => {
    const signed = signWith(withHeaders(unsignedRequest(), { 'x-empty': '' }), member([...COMPONENTS, 'x-empty']));
    expect(verify(signed).ok).toBe(true);
  });

  it('treats empty signature headers as absent', () => {
    const request = withHeaders(unsignedRequest(UNSIGNED_KEY), { 'signature-input': '', signature: '' });
    expect(verify(request)).toEqual({ ok: true, apiKey: UNSIGNED_KEY, signed: false, warnings: [] });
  });
});

describe('keys without a secret', () => {
  it('accepts an unsigned request', () => {
    expect(verify(unsignedRequest(UNSIGNED_KEY))).toEqual({ ok: true, apiKey: UNSIGNED_KEY, signed: false, warnings: [] });
  });

  it('accepts a signed request without verifying it, with a warning', () => {
    const request = withHeaders(vectorRequest(), { 'x-api-key': UNSIGNED_KEY });
    const result = verify(request);
    expect(result).toMatchObject({ ok: true, apiKey: UNSIGNED_KEY, signed: false });
    expect(result.ok && result.warnings).toHaveLength(1);
    expect(result.ok && result.warnings[0]).toMatch(/no secret/);
  });

  it('does not even parse the signature headers', () => {
    const request = withHeaders(unsignedRequest(UNSIGNED_KEY), { 'signature-input': 'sig1=(', signature: undefined });
    expect(verify(request)).toMatchObject({ ok: true, signed: false });
  });

  it('never touches the replay cache', () => {
    const nonceCache = new NonceCache();
    verify(withHeaders(vectorRequest(), { 'x-api-key': UNSIGNED_KEY }), { nonceCache });
    expect(nonceCache.size).toBe(0);
  });
});

describe('unsigned requests for keys that need a signature', () => {
  it('rejects a key with a secret as UNSIGNED', () => {
    expect(verify(unsignedRequest())).toMatchObject({ ok: false, code: 'UNSIGNED' });
  });

  it('rejects an unknown key as FAILED', () => {
    expect(verify(unsignedRequest('nobody'))).toMatchObject({ ok: false, code: 'FAILED' });
  });
});

describe('replay protection', () => {
  it('rejects the second use of a nonce within the lifetime', () => {
    const nonceCache = new NonceCache();
    expect(verify(vectorRequest(), { nonceCache }).ok).toBe(true);
    expect(verify(vectorRequest(), { nonceCache })).toMatchObject({ ok: false, code: 'REPLAY' });
    expect(verify(vectorRequest(), { nonceCache, now: () => V.created + 7 })).toMatchObject({ code: 'REPLAY' });
  });

  it('lets the time checks take over once the signature is dead', () => {
    const nonceCache = new NonceCache();
    verify(vectorRequest(), { nonceCache });
    expect(verify(vectorRequest(), { nonceCache, now: () => V.created + 8 })).toMatchObject({ code: 'EXPIRED' });
  });

  it('remembers a nonce until the earlier of expires and the age limit', () => {
    const nonceCache = new NonceCache();
    const shortLived = signWith(unsignedRequest(), member(COMPONENTS, PARAMS.replace(`expires=${V.expires}`, `expires=${V.created + 6}`)));
    expect(verify(shortLived, { nonceCache, now: () => V.created }).ok).toBe(true);
    // Held until expires − 3 = created + 3 (a later replay fails as EXPIRED anyway): still there
    // when another nonce arrives at created + 3, swept by one arriving just after.
    nonceCache.checkAndRemember('probe', Infinity, V.created + 3);
    expect(nonceCache.size).toBe(2);
    nonceCache.checkAndRemember('probe2', Infinity, V.created + 3.001);
    expect(nonceCache.size).toBe(2);
    expect(verify(shortLived, { nonceCache, now: () => V.created + 3.001 })).toMatchObject({ code: 'EXPIRED' });
  });

  it('only records nonces of otherwise valid signatures', () => {
    const nonceCache = new NonceCache();
    const wrongMac = withHeaders(vectorRequest(), { signature: 'sig1=:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=:' });
    expect(verify(wrongMac, { nonceCache })).toMatchObject({ code: 'FAILED' });
    expect(verify(vectorRequest(), { nonceCache, now: () => V.created + 8 })).toMatchObject({ code: 'EXPIRED' });
    expect(verify(withHeaders(vectorRequest(), { 'x-api-key': 'nobody' }), { nonceCache })).toMatchObject({ code: 'PRECONDITION' });
    expect(nonceCache.size).toBe(0);
    expect(verify(vectorRequest(), { nonceCache }).ok).toBe(true);
  });

  it('scopes nonces by API key', () => {
    const nonceCache = new NonceCache();
    const other = withHeaders(unsignedRequest(), { 'x-api-key': OTHER_KEY });
    const otherSigned = signWith(other, member(COMPONENTS, PARAMS.replace(V.apiKey, OTHER_KEY)), OTHER_SECRET);
    expect(verify(vectorRequest(), { nonceCache }).ok).toBe(true);
    expect(verify(otherSigned, { nonceCache }).ok).toBe(true);
    expect(verify(otherSigned, { nonceCache })).toMatchObject({ code: 'REPLAY' });
  });

  it('accepts replays when no cache is given', () => {
    expect(verify(vectorRequest()).ok).toBe(true);
    expect(verify(vectorRequest()).ok).toBe(true);
  });
});

describe('key lookup', () => {
  it('looks the key up once, by the canonical X-API-KEY value', () => {
    const seen: string[] = [];
    verifySignature(withHeaders(vectorRequest(), { 'x-api-key': `  ${V.apiKey}\t` }), (key) => (seen.push(key), lookup(key)), {
      now: () => NOW,
    });
    expect(seen).toEqual([V.apiKey]);
  });

  it('treats the key as opaque text, never decoding it', () => {
    const seen: string[] = [];
    verifySignature(vectorRequest(), (key) => (seen.push(key), lookup(key)), { now: () => NOW });
    expect(seen[0]).toBe('SGVsbG8sIEkgYW0gdGhlIEFQSSBrZXkh');
  });
});
