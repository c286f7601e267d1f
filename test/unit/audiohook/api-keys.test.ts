import { inspect } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { logger } from '#core/logger.ts';
import {
  ApiKeyConfigError,
  createApiKeySet,
  loadApiKeys,
  MIN_RECOMMENDED_SECRET_BYTES,
  parseApiKeys,
} from '#gateway/audiohook/api-keys.ts';

const SECRET_32 = 'TXlTdXBlclNlY3JldEtleVRlbGxOby0xITJAMyM0JDU=';
const SECRET_32_BYTES = Buffer.from('MySuperSecretKeyTellNo-1!2@3#4$5');
const SECRET_16 = Buffer.alloc(16, 7).toString('base64');
const SECRET_8 = Buffer.alloc(8, 7).toString('base64');

function configError(env: Record<string, string | undefined>): ApiKeyConfigError {
  try {
    parseApiKeys(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ApiKeyConfigError);
    return error as ApiKeyConfigError;
  }
  throw new Error('expected parseApiKeys to throw');
}

describe('parseApiKeys: single key', () => {
  it('no configuration → empty set', () => {
    const { keys, warnings } = parseApiKeys({});
    expect(keys.size).toBe(0);
    expect(keys.lookup('anything')).toBeUndefined();
    expect(warnings).toEqual([]);
  });

  it('key without secret', () => {
    const { keys } = parseApiKeys({ AUDIOHOOK_API_KEY: 'key1' });
    expect(keys.size).toBe(1);
    expect(keys.lookup('key1')).toEqual({ secret: null });
  });

  it('key with secret: the HMAC key is the decoded bytes', () => {
    const { keys } = parseApiKeys({ AUDIOHOOK_API_KEY: 'key1', AUDIOHOOK_CLIENT_SECRET: SECRET_32 });
    expect(keys.lookup('key1')?.secret).toEqual(SECRET_32_BYTES);
  });

  it('an empty or blank secret means no secret', () => {
    expect(parseApiKeys({ AUDIOHOOK_API_KEY: 'k', AUDIOHOOK_CLIENT_SECRET: '' }).keys.lookup('k')).toEqual({ secret: null });
    expect(parseApiKeys({ AUDIOHOOK_API_KEY: 'k', AUDIOHOOK_CLIENT_SECRET: '  ' }).keys.lookup('k')).toEqual({ secret: null });
  });

  it('trims surrounding whitespace of key and secret', () => {
    const { keys } = parseApiKeys({ AUDIOHOOK_API_KEY: ' key1\n', AUDIOHOOK_CLIENT_SECRET: `\t${SECRET_32}\n` });
    expect(keys.lookup('key1')?.secret).toEqual(SECRET_32_BYTES);
  });

  it('a blank AUDIOHOOK_API_KEY is not a key', () => {
    expect(parseApiKeys({ AUDIOHOOK_API_KEY: '   ' }).keys.size).toBe(0);
  });

  it('a secret without a key is an error', () => {
    expect(configError({ AUDIOHOOK_CLIENT_SECRET: SECRET_32 }).message).toMatch(/AUDIOHOOK_CLIENT_SECRET is set without AUDIOHOOK_API_KEY/);
  });

  it('lookups are exact: case-sensitive, no trimming, no decoding', () => {
    const { keys } = parseApiKeys({ AUDIOHOOK_API_KEY: 'SGVsbG8=' });
    expect(keys.lookup('SGVsbG8=')).toBeDefined();
    expect(keys.lookup('sgvsbg8=')).toBeUndefined();
    expect(keys.lookup('SGVsbG8')).toBeUndefined();
    expect(keys.lookup(' SGVsbG8=')).toBeUndefined();
    expect(keys.lookup('Hello')).toBeUndefined();
  });
});

describe('parseApiKeys: key list', () => {
  it('parses key:secret pairs, an empty secret meaning none', () => {
    const { keys } = parseApiKeys({ AUDIOHOOK_API_KEYS: `key1:${SECRET_32},key2:,key3:${SECRET_16}` });
    expect(keys.size).toBe(3);
    expect(keys.lookup('key1')?.secret).toEqual(SECRET_32_BYTES);
    expect(keys.lookup('key2')).toEqual({ secret: null });
    expect(keys.lookup('key3')?.secret).toEqual(Buffer.alloc(16, 7));
  });

  it('tolerates whitespace, line breaks and empty entries', () => {
    const { keys } = parseApiKeys({ AUDIOHOOK_API_KEYS: `\n  key1 : ${SECRET_32} ,\n,  key2:  ,\n` });
    expect(keys.size).toBe(2);
    expect(keys.lookup('key1')?.secret).toEqual(SECRET_32_BYTES);
    expect(keys.lookup('key2')).toEqual({ secret: null });
  });

  it('combines with the single key', () => {
    const { keys } = parseApiKeys({ AUDIOHOOK_API_KEY: 'solo', AUDIOHOOK_CLIENT_SECRET: SECRET_32, AUDIOHOOK_API_KEYS: 'key2:' });
    expect(keys.size).toBe(2);
    expect(keys.lookup('solo')?.secret).toEqual(SECRET_32_BYTES);
  });

  it('accepts every character the reference client allows in a key', () => {
    const key = 'Az09+/_-==';
    expect(parseApiKeys({ AUDIOHOOK_API_KEYS: `${key}:` }).keys.lookup(key)).toEqual({ secret: null });
  });

  it('an empty list is no keys', () => {
    expect(parseApiKeys({ AUDIOHOOK_API_KEYS: '' }).keys.size).toBe(0);
    expect(parseApiKeys({ AUDIOHOOK_API_KEYS: ' , ,' }).keys.size).toBe(0);
  });

  it('requires the colon even without a secret', () => {
    expect(configError({ AUDIOHOOK_API_KEYS: `key1:,key2${SECRET_32}` }).message).toMatch(
      /AUDIOHOOK_API_KEYS entry 2: expected 'key:secret' \(write 'key:' for a key without a secret\)/,
    );
  });

  it('splits at the first colon, so a colon in the secret is a bad secret', () => {
    expect(configError({ AUDIOHOOK_API_KEYS: 'key1:abcd:efgh' }).message).toMatch(/entry 1: client secret is not valid base64/);
  });
});

describe('validation', () => {
  it.each(['key 1', 'key.1', 'key@1', 'ké', 'key===', 'ke=y', '=', 'key\u0000'])('rejects the key %j', (key) => {
    expect(configError({ AUDIOHOOK_API_KEY: key }).message).toMatch(/AUDIOHOOK_API_KEY: API key must match/);
  });

  it('rejects an empty key in the list', () => {
    expect(configError({ AUDIOHOOK_API_KEYS: `:${SECRET_32}` }).message).toMatch(/entry 1: API key must match/);
  });

  it.each([
    ['invalid characters', 'abc!'],
    ['url-safe alphabet', 'ab-_'],
    ['one dangling character', 'abcde'],
    ['only padding', '=='],
    ['padding in the middle', 'ab==cd=='],
    ['three padding characters', 'a==='],
    ['padding on a full group', 'abcd='],
    ['inner whitespace', 'abcd efgh'],
  ])('rejects a secret with %s', (_, secret) => {
    expect(configError({ AUDIOHOOK_API_KEY: 'k', AUDIOHOOK_CLIENT_SECRET: secret }).message).toMatch(/client secret is not valid base64/);
  });

  it.each([
    ['padded', 'QUJD', 'ABC'],
    ['padded with =', 'QUI=', 'AB'],
    ['padded with ==', 'QQ==', 'A'],
    ['unpadded', 'QUI', 'AB'],
    ['unpadded, two', 'QQ', 'A'],
  ])('accepts a %s secret', (_, secret, decoded) => {
    expect(parseApiKeys({ AUDIOHOOK_API_KEY: 'k', AUDIOHOOK_CLIENT_SECRET: secret }).keys.lookup('k')?.secret?.toString()).toBe(decoded);
  });

  it('rejects a duplicate key within the list', () => {
    expect(configError({ AUDIOHOOK_API_KEYS: 'a:,b:,a:' }).message).toMatch(/entry 3: API key configured twice/);
  });

  it('rejects a key in both variables', () => {
    expect(configError({ AUDIOHOOK_API_KEY: 'a', AUDIOHOOK_API_KEYS: `a:${SECRET_32}` }).message).toMatch(
      /entry 1: API key configured twice/,
    );
  });

  it('lists every bad entry at once', () => {
    const { message } = configError({ AUDIOHOOK_API_KEY: 'bad key', AUDIOHOOK_API_KEYS: 'ok:,nocolon,x:!!!!,ok:' });
    expect(message.split('\n').slice(1)).toEqual([
      "  AUDIOHOOK_API_KEY: API key must match [A-Za-z0-9+/_-]+ with at most two trailing '='",
      "  AUDIOHOOK_API_KEYS entry 2: expected 'key:secret' (write 'key:' for a key without a secret)",
      '  AUDIOHOOK_API_KEYS entry 3: client secret is not valid base64 (standard alphabet)',
      '  AUDIOHOOK_API_KEYS entry 4: API key configured twice',
    ]);
  });

  it('never echoes keys or secrets in errors', () => {
    const secretText = 'c2VjcmV0IQ!';
    const { message } = configError({ AUDIOHOOK_API_KEYS: `topsecretkey:${secretText},topsecretkey:,bad key:` });
    expect(message).not.toContain('topsecretkey');
    expect(message).not.toContain('c2VjcmV0');
    expect(message).not.toContain('bad key');
  });

  it('warns about a secret shorter than 16 bytes, naming the entry not the secret', () => {
    const { keys, warnings } = parseApiKeys({
      AUDIOHOOK_API_KEY: 'k',
      AUDIOHOOK_CLIENT_SECRET: SECRET_8,
      AUDIOHOOK_API_KEYS: `k2:${SECRET_16}`,
    });
    expect(keys.size).toBe(2);
    expect(warnings).toEqual([`AUDIOHOOK_API_KEY: client secret is only 8 bytes; ${MIN_RECOMMENDED_SECRET_BYTES} or more recommended`]);
    expect(warnings.join()).not.toContain(SECRET_8);
  });

  it('accepts a one-byte secret (with a warning)', () => {
    const { keys, warnings } = parseApiKeys({ AUDIOHOOK_API_KEYS: 'k:AA==' });
    expect(keys.lookup('k')?.secret).toEqual(Buffer.from([0]));
    expect(warnings).toHaveLength(1);
  });
});

describe('createApiKeySet', () => {
  it('copies secrets, so later changes to the caller’s buffer do not leak in', () => {
    const secret = Buffer.from('0123456789abcdef');
    const keys = createApiKeySet([['k', secret]]);
    secret.fill(0);
    expect(keys.lookup('k')?.secret?.toString()).toBe('0123456789abcdef');
  });

  it('is frozen', () => {
    const keys = createApiKeySet([['k', null]]);
    expect(Object.isFrozen(keys)).toBe(true);
    expect(Object.isFrozen(keys.lookup('k'))).toBe(true);
  });

  it('does not reveal secrets or keys when logged or serialised', () => {
    const keys = createApiKeySet([['the-key', Buffer.from('the-secret-value')]]);
    expect(JSON.stringify(keys)).toBe('{"size":1}');
    expect(inspect(keys)).toBe('ApiKeySet { size: 1 }');
    expect(`${inspect(keys, { showHidden: true, depth: 10 })}`).not.toContain('the-secret');
  });

  it('has no prototype surprises', () => {
    const keys = createApiKeySet([['k', null]]);
    expect(keys.lookup('__proto__')).toBeUndefined();
    expect(keys.lookup('constructor')).toBeUndefined();
    expect(keys.lookup('toString')).toBeUndefined();
  });
});

describe('loadApiKeys', () => {
  afterEach(() => vi.restoreAllMocks());

  it('logs the warnings and returns the keys', () => {
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const keys = loadApiKeys({ AUDIOHOOK_API_KEY: 'k', AUDIOHOOK_CLIENT_SECRET: SECRET_8 });
    expect(keys.size).toBe(1);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(JSON.stringify(warn.mock.calls)).not.toContain(SECRET_8);
  });

  it('warns when no key is configured', () => {
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    expect(loadApiKeys({}).size).toBe(0);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/No AudioHook API key configured/));
  });

  it('throws on bad configuration', () => {
    expect(() => loadApiKeys({ AUDIOHOOK_API_KEYS: 'nocolon' })).toThrow(ApiKeyConfigError);
  });

  it('reads process.env by default', () => {
    vi.stubEnv('AUDIOHOOK_API_KEY', 'from-env');
    vi.stubEnv('AUDIOHOOK_CLIENT_SECRET', '');
    vi.stubEnv('AUDIOHOOK_API_KEYS', '');
    try {
      expect(loadApiKeys().lookup('from-env')).toEqual({ secret: null });
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
