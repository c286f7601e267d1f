import { describe, expect, it } from 'vitest';
import { NonceCache } from '#gateway/audiohook/nonce-cache.ts';
import { verifySignature } from '#gateway/audiohook/signature.ts';
import type { SignedRequest, VerifyFailureCode, VerifyResult } from '#gateway/audiohook/signature.ts';
import {
  COMPONENTS,
  lookup,
  member,
  NOW,
  OTHER_KEY,
  OTHER_SECRET,
  PARAMS,
  signWith,
  unsignedRequest,
  V,
  vectorRequest,
  verify,
  withHeaders,
} from './signature-fixtures.ts';

function expectFailure(result: VerifyResult, code: VerifyFailureCode, reason?: RegExp): void {
  expect(result.ok, JSON.stringify(result)).toBe(false);
  if (result.ok) return;
  expect(result.code, result.reason).toBe(code);
  if (reason) expect(result.reason).toMatch(reason);
  // Reasons go to logs: never any credential material.
  for (const secret of [V.apiKey, V.nonce, V.secretBase64, V.secret.toString('latin1'), 'NZBwyBHRRyRoeLqy1IzOa9VYBuI8TgMFt2GRDkDuJh4']) {
    expect(result.reason).not.toContain(secret);
  }
}

/** The vector with its Signature-Input text rewritten but the original Signature kept. */
const withInput = (edit: (input: string) => string): SignedRequest =>
  withHeaders(vectorRequest(), { 'signature-input': edit(V.signatureInput) });

/** A correctly signed request with a different Signature-Input member: isolates the check under test. */
const signed = (components: readonly string[] = COMPONENTS, params: string = PARAMS, request = unsignedRequest()): SignedRequest =>
  signWith(request, member(components, params));

describe('altered covered components → FAILED', () => {
  it.each<[string, Partial<SignedRequest>]>([
    ['@request-target path', { requestTarget: '/api/v1/voicebiometrics/ws2' }],
    ['@request-target query added', { requestTarget: '/api/v1/voicebiometrics/ws?x=1' }],
    ['@request-target case', { requestTarget: '/API/v1/voicebiometrics/ws' }],
    ['@request-target trailing slash', { requestTarget: '/api/v1/voicebiometrics/ws/' }],
    ['@authority host', { authority: 'evil.example.com' }],
    ['@authority port', { authority: 'audiohook.example.com:443' }],
    ['@authority case', { authority: 'Audiohook.example.com' }],
  ])('%s', (_, change) => {
    expectFailure(verify({ ...vectorRequest(), ...change }), 'FAILED', /do not match/);
  });

  it.each([
    ['audiohook-organization-id', '00000000-0972-4844-938e-9060eef73d05'],
    ['audiohook-session-id', '30b0e395-84d3-4570-ac13-9a62d8f514c1'],
    ['audiohook-correlation-id', 'E160E428-53E2-487C-977D-96989BF5C99D'],
    ['audiohook-session-id', `${V.sessionId}, ${V.sessionId}`],
  ])('%s → %s', (name, value) => {
    expectFailure(verify(withHeaders(vectorRequest(), { [name]: value })), 'FAILED', /do not match/);
  });

  it('x-api-key changed to another configured key (keyid follows): MAC checked with that key', () => {
    const request = withHeaders(vectorRequest(), {
      'x-api-key': OTHER_KEY,
      'signature-input': V.signatureInput.replace(`keyid="${V.apiKey}"`, `keyid="${OTHER_KEY}"`),
    });
    expectFailure(verify(request), 'FAILED', /do not match/);
  });

  it('x-api-key changed to an unknown key (keyid follows)', () => {
    const request = withHeaders(vectorRequest(), {
      'x-api-key': 'nobody',
      'signature-input': V.signatureInput.replace(`keyid="${V.apiKey}"`, 'keyid="nobody"'),
    });
    expectFailure(verify(request), 'FAILED', /unknown API key/);
  });

  it('x-api-key changed alone → keyid mismatch', () => {
    expectFailure(verify(withHeaders(vectorRequest(), { 'x-api-key': OTHER_KEY })), 'PRECONDITION', /keyid/);
  });
});

describe('altered signature parameters → FAILED', () => {
  it.each<[string, (input: string) => string]>([
    ['nonce', (s) => s.replace(V.nonce, 'VGhpc0lzQVVuaXF1ZU5vbmNm')],
    ['created', (s) => s.replace(`created=${V.created}`, `created=${V.created + 1}`)],
    ['expires', (s) => s.replace(`expires=${V.expires}`, `expires=${V.expires - 1}`)],
    ['expires removed', (s) => s.replace(`;expires=${V.expires}`, '')],
    ['alg removed', (s) => s.replace(';alg="hmac-sha256"', '')],
    ['parameter order', (s) => s.replace(`;keyid="${V.apiKey}";nonce="${V.nonce}"`, `;nonce="${V.nonce}";keyid="${V.apiKey}"`)],
    ['component order', (s) => s.replace('"@request-target" "@authority"', '"@authority" "@request-target"')],
    ['extra component', (s) => s.replace('"x-api-key")', '"x-api-key" "host")')],
    ['extra parameter', (s) => `${s};tag="x"`],
  ])('%s', (_, edit) => {
    expectFailure(verify(withInput(edit)), 'FAILED', /do not match/);
  });

  it('the label is not signed (RFC 9421): relabelling both headers still verifies', () => {
    const request = withHeaders(vectorRequest(), {
      'signature-input': V.signatureInput.replace('sig1=', 'sig2='),
      signature: V.signature.replace('sig1=', 'sig2='),
    });
    expect(verify(request).ok).toBe(true);
  });

  it('keyid and x-api-key both swapped to another configured key', () => {
    const request = withHeaders(
      withInput((s) => s.replace(V.apiKey, OTHER_KEY)),
      { 'x-api-key': OTHER_KEY },
    );
    expectFailure(verify(request), 'FAILED');
  });
});

describe('altered signature bytes → FAILED', () => {
  const mac = Buffer.from('NZBwyBHRRyRoeLqy1IzOa9VYBuI8TgMFt2GRDkDuJh4=', 'base64');
  const withMac = (bytes: Buffer) => withHeaders(vectorRequest(), { signature: `sig1=:${bytes.toString('base64')}:` });

  it.each(Array.from({ length: 8 }, (_, bit) => bit))('bit %i of the first byte flipped', (bit) => {
    const bytes = Buffer.from(mac);
    bytes[0] ^= 1 << bit;
    expectFailure(verify(withMac(bytes)), 'FAILED', /do not match/);
  });

  it('last byte flipped', () => {
    const bytes = Buffer.from(mac);
    bytes[31] ^= 0x80;
    expectFailure(verify(withMac(bytes)), 'FAILED');
  });

  it.each([
    ['truncated', mac.subarray(0, 31)],
    ['one byte', mac.subarray(0, 1)],
    ['empty', Buffer.alloc(0)],
    ['extended', Buffer.concat([mac, Buffer.from([0])])],
    ['doubled', Buffer.concat([mac, mac])],
    ['all zero', Buffer.alloc(32)],
  ])('%s', (_, bytes) => {
    expectFailure(verify(withMac(bytes)), 'FAILED');
  });

  it('a MAC computed with another secret', () => {
    expectFailure(verify(signWith(unsignedRequest(), member(), OTHER_SECRET)), 'FAILED', /do not match/);
  });

  it('a MAC over the raw header text instead of the re-serialised list', () => {
    const padded = `sig1=${member(COMPONENTS, PARAMS.replace(';nonce', '; nonce'))}`;
    const request = withHeaders(signWith(unsignedRequest(), member()), { 'signature-input': padded });
    expect(verify(request).ok).toBe(true);
  });
});

describe('time checks', () => {
  it('expired by age', () => {
    expectFailure(verify(vectorRequest(), { now: () => V.created + 8 }), 'EXPIRED', /older/);
  });

  it('expires passed', () => {
    expectFailure(verify(signed(COMPONENTS, PARAMS.replace(`expires=${V.expires}`, `expires=${NOW - 1}`))), 'EXPIRED', /expires/);
  });

  it('expires less than 3 s away', () => {
    expectFailure(verify(signed(COMPONENTS, PARAMS.replace(`expires=${V.expires}`, `expires=${NOW + 2}`))), 'EXPIRED');
  });

  it('expires = 0 is a time, not "absent"', () => {
    expectFailure(verify(signed(COMPONENTS, PARAMS.replace(`expires=${V.expires}`, 'expires=0'))), 'EXPIRED');
  });

  it('expires checked before age', () => {
    const result = verify(signed(COMPONENTS, PARAMS.replace(`expires=${V.expires}`, `expires=${V.created}`)), {
      now: () => V.created + 20,
    });
    expectFailure(result, 'EXPIRED', /expires/);
  });

  it('created more than 3 s in the future', () => {
    expectFailure(verify(vectorRequest(), { now: () => V.created - 3.5 }), 'PRECONDITION', /future/);
  });

  it('created = 0', () => {
    expectFailure(verify(signed(COMPONENTS, PARAMS.replace(`created=${V.created}`, 'created=0'))), 'EXPIRED');
  });

  it('created missing', () => {
    expectFailure(verify(signed(COMPONENTS, PARAMS.replace(`;created=${V.created}`, ''))), 'PRECONDITION', /created/);
  });
});

describe('nonce', () => {
  it.each([1, 10, 21])('%i characters is too short', (length) => {
    expectFailure(verify(signed(COMPONENTS, PARAMS.replace(V.nonce, 'n'.repeat(length)))), 'PRECONDITION', /nonce shorter/);
  });

  it('empty', () => {
    expectFailure(verify(signed(COMPONENTS, PARAMS.replace(V.nonce, ''))), 'PRECONDITION', /nonce/);
  });

  it('missing', () => {
    expectFailure(verify(signed(COMPONENTS, PARAMS.replace(`;nonce="${V.nonce}"`, ''))), 'PRECONDITION', /nonce parameter missing/);
  });

  it('replayed', () => {
    const nonceCache = new NonceCache();
    expect(verify(vectorRequest(), { nonceCache }).ok).toBe(true);
    expectFailure(verify(vectorRequest(), { nonceCache }), 'REPLAY');
  });

  it('replayed with a different but equally valid signature (same nonce, other components)', () => {
    const nonceCache = new NonceCache();
    expect(verify(vectorRequest(), { nonceCache }).ok).toBe(true);
    const request = withHeaders(unsignedRequest(), { 'sec-websocket-version': '13' });
    expectFailure(verify(signed([...COMPONENTS, 'sec-websocket-version'], PARAMS, request), { nonceCache }), 'REPLAY');
  });
});

describe('keys', () => {
  it('wrong secret', () => {
    expectFailure(
      verifySignature(vectorRequest(), () => OTHER_SECRET, { now: () => NOW }),
      'FAILED',
      /do not match/,
    );
  });

  it('unknown key, fully and correctly signed with some secret', () => {
    expectFailure(
      verifySignature(vectorRequest(), () => undefined, { now: () => NOW }),
      'FAILED',
      /unknown API key/,
    );
  });

  it('missing X-API-KEY', () => {
    expectFailure(verify(withHeaders(vectorRequest(), { 'x-api-key': undefined })), 'PRECONDITION', /X-API-KEY/);
  });

  it.each(['', '   ', '\t'])('blank X-API-KEY %j', (value) => {
    expectFailure(verify(withHeaders(vectorRequest(), { 'x-api-key': value })), 'PRECONDITION', /X-API-KEY/);
  });

  it('keyid missing', () => {
    expectFailure(verify(signed(COMPONENTS, PARAMS.replace(`;keyid="${V.apiKey}"`, ''))), 'PRECONDITION', /keyid parameter missing/);
  });

  it('keyid differs from X-API-KEY only in case', () => {
    expectFailure(verify(signed(COMPONENTS, PARAMS.replace(V.apiKey, V.apiKey.toLowerCase()))), 'PRECONDITION', /keyid does not match/);
  });

  it('does not look up a key it never needs to trust', () => {
    let calls = 0;
    verifySignature(withHeaders(vectorRequest(), { 'x-api-key': undefined }), (key) => (calls++, lookup(key)), { now: () => NOW });
    expect(calls).toBe(0);
  });
});

describe('presence of the two headers', () => {
  it('Signature-Input without Signature', () => {
    expectFailure(verify(withHeaders(vectorRequest(), { signature: undefined })), 'INVALID', /without Signature$/);
  });

  it('Signature without Signature-Input', () => {
    expectFailure(verify(withHeaders(vectorRequest(), { 'signature-input': undefined })), 'INVALID', /without Signature-Input/);
  });

  it('Signature without Signature-Input, unknown key', () => {
    expectFailure(verify(withHeaders(vectorRequest(), { 'signature-input': undefined, 'x-api-key': 'nobody' })), 'INVALID');
  });

  it('label of Signature-Input missing from Signature', () => {
    expectFailure(verify(withHeaders(vectorRequest(), { signature: V.signature.replace('sig1', 'sig2') })), 'INVALID', /labelled "sig1"/);
  });
});

describe('malformed Signature-Input → INVALID', () => {
  it.each([
    ['unterminated inner list', 'sig1=("@request-target"'],
    ['uppercase label', V.signatureInput.replace('sig1', 'SIG1')],
    ['trailing comma', `${V.signatureInput},`],
    ['non-ASCII', V.signatureInput.replace('hmac-sha256', 'hmac-shä256')],
    ['garbage', '!!!'],
    ['JSON', '{"sig1":[]}'],
    ['missing space between components', V.signatureInput.replace('"@request-target" "@authority"', '"@request-target""@authority"')],
    ['bad escape', V.signatureInput.replace('"x-api-key"', '"x-api\\key"')],
    ['parameter without key', V.signatureInput.replace(';alg', ';=alg')],
  ])('%s', (_, value) => {
    expectFailure(
      verify(withHeaders(vectorRequest(), { 'signature-input': value })),
      'INVALID',
      /Signature-Input is not a structured dictionary/,
    );
  });

  it.each([
    ['a string', 'sig1="x"'],
    ['a bare key', 'sig1'],
    ['a byte sequence', 'sig1=:AAAA:'],
    ['an integer', 'sig1=1;created=1'],
  ])('member is %s', (_, value) => {
    expectFailure(verify(withHeaders(vectorRequest(), { 'signature-input': value })), 'INVALID', /not an inner list/);
  });

  it.each([
    ['token', '(x-api-key "@authority")'],
    ['integer', '(1)'],
    ['byte sequence', '(:AAAA:)'],
    ['boolean', '(?1)'],
  ])('component is a %s', (_, list) => {
    expectFailure(verify(withInput((s) => s.replace(/\(.*\)/, list))), 'INVALID', /not a string/);
  });

  it.each([
    ['alg as token', ';alg=hmac-sha256', /"alg" must be a string/],
    ['alg as boolean', ';alg', /"alg" must be a string/],
    ['keyid as integer', ';keyid=5', /"keyid" must be a string/],
    ['nonce as byte sequence', ';nonce=:AAAA:', /"nonce" must be a string/],
    ['created as string', ';created="1641013200"', /"created" must be a non-negative integer/],
    ['created negative', ';created=-1', /"created"/],
    ['created decimal', ';created=1641013200.5', /"created"/],
    ['created boolean', ';created', /"created"/],
    ['expires as token', ';expires=never', /"expires"/],
    ['expires negative', ';expires=-5', /"expires"/],
    ['expires as date', ';expires=@3282026430', /"expires"/],
  ])('%s', (_, param, reason) => {
    // The parameter replaces the vector's own: a repeated parameter is refused before its type is read.
    const name = param.slice(1).split('=')[0];
    const without = (s: string) => s.replace(new RegExp(`;${name}(=[^;]*)?`), '');
    expectFailure(verify(withInput((s) => `${without(s)}${param}`)), 'INVALID', reason);
  });
});

describe('non-canonical encodings of a valid signature → INVALID (RFC 8941 §4.1)', () => {
  const MAC = V.signature.slice('sig1=:'.length, -1);
  it.each<[string, Partial<Record<'signature-input' | 'signature', string | string[]>>]>([
    [
      'created as a decimal with a zero fraction',
      { 'signature-input': V.signatureInput.replace(`created=${V.created}`, `created=${V.created}.0`) },
    ],
    ['expires with a leading zero', { 'signature-input': V.signatureInput.replace(`expires=${V.expires}`, `expires=0${V.expires}`) }],
    ['a parameter repeated', { 'signature-input': `${V.signatureInput};alg="hmac-sha256"` }],
    ['the member repeated', { 'signature-input': `${V.signatureInput}, ${V.signatureInput}` }],
    ['MAC without its padding', { signature: `sig1=:${MAC.replace(/=+$/, '')}:` }],
    ['MAC with stray bits in its padding', { signature: `sig1=:${MAC.slice(0, -2)}5=:` }],
    ['a bogus Signature before the valid one', { signature: [`sig1=:${'A'.repeat(43)}=:`, V.signature] }],
    ['a bogus Signature member before the valid one', { signature: `sig1=:${'A'.repeat(43)}=:, ${V.signature}` }],
  ])('%s', (_, headers) => {
    expectFailure(verify(withHeaders(vectorRequest(), headers)), 'INVALID', /canonical/);
  });

  it('still accepts the vector with spaces RFC 8941 allows, and other members beside it', () => {
    expect(verify(withHeaders(vectorRequest(), { 'signature-input': ` ${V.signatureInput.replace(';nonce', '; nonce')}` })).ok).toBe(true);
    expect(verify(withHeaders(vectorRequest(), { signature: `${V.signature},   other=:AAAA:` })).ok).toBe(true);
  });
});

describe('malformed Signature → INVALID', () => {
  it.each([
    ['token', 'sig1=abc', /byte sequence/],
    ['string', 'sig1="NZBw"', /byte sequence/],
    ['inner list', 'sig1=(:AAAA:)', /byte sequence/],
    ['bare key', 'sig1', /byte sequence/],
    ['integer', 'sig1=1', /byte sequence/],
    ['unterminated bytes', 'sig1=:NZBw', /not a structured dictionary/],
    ['non-base64 bytes', 'sig1=:!!!!:', /not a structured dictionary/],
    ['url-safe base64', 'sig1=:NZBw-_==:', /not a structured dictionary/],
    ['garbage', '@@@', /not a structured dictionary/],
  ])('%s', (_, value, reason) => {
    expectFailure(verify(withHeaders(vectorRequest(), { signature: value })), 'INVALID', reason);
  });
});

describe('algorithm', () => {
  it.each(['rsa-pss-sha512', 'hmac-sha512', 'HMAC-SHA256', 'hmac-sha256 ', ''])('alg %j → UNSUPPORTED', (alg) => {
    expectFailure(verify(signed(COMPONENTS, PARAMS.replace('"hmac-sha256"', `"${alg}"`))), 'UNSUPPORTED', /algorithm/);
  });
});

describe('covered components', () => {
  it.each(COMPONENTS.map((name) => [name]))('%s not covered → PRECONDITION', (name) => {
    const result = verify(signed(COMPONENTS.filter((c) => c !== name)));
    expectFailure(result, 'PRECONDITION', new RegExp(`does not cover "${name}"`));
  });

  it('nothing covered', () => {
    expectFailure(verify(signed([])), 'PRECONDITION', /does not cover/);
  });

  it.each(COMPONENTS.map((name) => [name]))('%s listed twice → INVALID', (name) => {
    expectFailure(verify(signed([...COMPONENTS, name])), 'INVALID', /listed twice/);
  });

  it('"@signature-params" listed → INVALID', () => {
    expectFailure(verify(withInput((s) => s.replace('"x-api-key")', '"x-api-key" "@signature-params")'))), 'INVALID', /@signature-params/);
  });

  it.each(['@method', '@path', '@query', '@scheme', '@target-uri', '@status', '@query-param', '@foo', '@'])(
    'derived component %s → UNSUPPORTED',
    (name) => {
      expectFailure(verify(withInput((s) => s.replace('"x-api-key")', `"x-api-key" "${name}")`))), 'UNSUPPORTED', /derived component/);
    },
  );

  it.each([
    ['"x-api-key";sf', 'UNSUPPORTED'],
    ['"x-api-key";bs', 'UNSUPPORTED'],
    ['"x-api-key";key="a"', 'UNSUPPORTED'],
    ['"x-api-key";tr', 'UNSUPPORTED'],
    ['"@authority";req', 'UNSUPPORTED'],
    ['"@query-param";name="a"', 'UNSUPPORTED'],
    ['"x-api-key";foo=1', 'INVALID'],
    ['"x-api-key";sf=?0', 'UNSUPPORTED'],
  ] as const)('component parameters %s → %s', (component, code) => {
    expectFailure(verify(withInput((s) => s.replace('"x-api-key")', `"x-api-key" ${component})`))), code, /component parameter/);
  });

  it('component parameters on a required component → rejected, not ignored', () => {
    expectFailure(verify(withInput((s) => s.replace('"x-api-key"', '"x-api-key";sf'))), 'UNSUPPORTED', /component parameter/);
  });

  it.each(['X-API-KEY', 'X-Api-Key', 'x api key', 'x-api-key:', '', 'x-api-key ', 'x-api(key)', 'x/api'])(
    'field name %j → INVALID',
    (name) => {
      expectFailure(verify(withInput((s) => s.replace('"x-api-key")', `"x-api-key" "${name}")`))), 'INVALID', /lower-case field name/);
    },
  );

  it('covering "signature" → UNSUPPORTED', () => {
    expectFailure(verify(withInput((s) => s.replace('"x-api-key")', '"x-api-key" "signature")'))), 'UNSUPPORTED', /"signature"/);
  });

  it('covered header absent from the request → PRECONDITION', () => {
    expectFailure(
      verify(withInput((s) => s.replace('"x-api-key")', '"x-api-key" "x-absent")'))),
      'PRECONDITION',
      /"x-absent" is not in the request/,
    );
  });

  it.each(['audiohook-organization-id', 'audiohook-session-id', 'audiohook-correlation-id'])(
    'required header %s absent → PRECONDITION',
    (name) => {
      expectFailure(verify(withHeaders(vectorRequest(), { [name]: undefined })), 'PRECONDITION', /is not in the request/);
    },
  );

  it('no Host → PRECONDITION', () => {
    expectFailure(verify({ ...vectorRequest(), authority: '' }), 'PRECONDITION', /"@authority"/);
  });

  it('no request target → PRECONDITION', () => {
    expectFailure(verify({ ...vectorRequest(), requestTarget: '' }), 'PRECONDITION', /"@request-target"/);
  });

  it.each([
    ['bare LF in a header', { 'audiohook-session-id': `${V.sessionId}\nx` }],
    ['bare CR in a header', { 'audiohook-session-id': `${V.sessionId}\rx` }],
    ['CRLF without folding whitespace', { 'audiohook-correlation-id': `${V.correlationId}\r\nx` }],
  ])('%s → INVALID', (_, headers) => {
    expectFailure(verify(withHeaders(vectorRequest(), headers)), 'INVALID', /line break/);
  });

  it('line break in the request target → INVALID', () => {
    expectFailure(verify({ ...vectorRequest(), requestTarget: '/ws\n"x": y' }), 'INVALID', /line break/);
  });

  it('bounds attacker-chosen names in reasons', () => {
    const long = `@${'a'.repeat(500)}`;
    const result = verify(withInput((s) => s.replace('"x-api-key")', `"x-api-key" "${long}")`)));
    expectFailure(result, 'UNSUPPORTED');
    expect(!result.ok && result.reason.length).toBeLessThan(150);
  });
});

describe('check order', () => {
  it('structure before time: a malformed and expired request is INVALID', () => {
    expectFailure(
      verify(
        withInput((s) => `${s};alg=1`),
        { now: () => V.created + 100 },
      ),
      'INVALID',
    );
  });

  it('time before components: an expired request covering too little is EXPIRED', () => {
    expectFailure(verify(signed(COMPONENTS.slice(1)), { now: () => V.created + 100 }), 'EXPIRED');
  });

  it('checks before the MAC: an unknown key with a short nonce is PRECONDITION', () => {
    const request = withHeaders(signed(COMPONENTS, PARAMS.replace(V.nonce, 'short')), {});
    expectFailure(
      verifySignature(request, () => undefined, { now: () => NOW }),
      'PRECONDITION',
      /nonce/,
    );
  });

  it('alg before the MAC: unsupported alg with a wrong MAC is UNSUPPORTED', () => {
    expectFailure(verify(withInput((s) => s.replace('"hmac-sha256"', '"rsa-v1_5-sha256"'))), 'UNSUPPORTED');
  });
});
