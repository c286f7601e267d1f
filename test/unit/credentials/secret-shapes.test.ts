import { describe, expect, it } from 'vitest';
import { parseApiKeys } from '#gateway/audiohook/api-keys.ts';
import { parseCredentialList } from '#core/config/api.ts';
import { add, newApiPair, newAudioHookPair, rotate } from '#core/credentials/credential-set.ts';
import { audioHookSecret, parseApiSecret, parseAudioHookSecret } from '#core/credentials/credential-store.ts';

/**
 * The Secrets Manager shapes the credentials command writes are the ones the services read: the API's
 * credential list parser and the gateway's key parser accept them, and the stack's generated secrets
 * (a single object each) are read back.
 */
describe('Secrets Manager credential shapes', () => {
  it('the API secret is a list the API reads, metadata ignored; the generated single pair reads back', () => {
    let set = add({ api: [], audiohook: [] }, 'api', newApiPair('acme'));
    set = rotate(set, 'api', set.api[0]!.id).set;
    const text = JSON.stringify(set.api);
    expect(parseCredentialList(text, 'default')).toEqual(set.api.map(({ id, secret, tenant }) => ({ id, secret, tenant })));
    expect(parseApiSecret(text, 'arn')).toEqual(set.api);
    expect(parseApiSecret('{"id":"api-x","secret":"s3cr3t-value","tenant":"t1"}', 'arn')).toEqual([
      { id: 'api-x', secret: 's3cr3t-value', tenant: 't1', createdAt: 'unknown' },
    ]);
  });

  it('the AudioHook secret keeps the newest pair as apiKey/clientSecret and the others as apiKeys, which the gateway accepts together', () => {
    let set = add({ api: [], audiohook: [] }, 'audiohook', newAudioHookPair());
    const old = set.audiohook[0]!;
    const rotated = rotate(set, 'audiohook', old.apiKey);
    set = rotated.set;
    const secret = audioHookSecret(set.audiohook) as { apiKey: string; clientSecret: string; apiKeys: string };
    expect(secret.apiKey).toBe((rotated.created as { apiKey: string }).apiKey);
    expect(secret.apiKeys).toBe(`${old.apiKey}:${old.clientSecret}`);
    const { keys, warnings } = parseApiKeys({
      AUDIOHOOK_API_KEY: secret.apiKey,
      AUDIOHOOK_CLIENT_SECRET: secret.clientSecret,
      AUDIOHOOK_API_KEYS: secret.apiKeys,
    });
    expect(warnings).toEqual([]);
    expect(keys.size).toBe(2);
    expect(keys.lookup(old.apiKey)?.secret).toEqual(Buffer.from(old.clientSecret, 'base64'));
    expect(parseAudioHookSecret(JSON.stringify(secret), 'arn')).toEqual(set.audiohook);
    // The stack's generated secret: one pair, no metadata.
    expect(parseAudioHookSecret('{"apiKey":"ah-1234","clientSecret":"QUJD"}', 'arn')).toEqual([
      { apiKey: 'ah-1234', clientSecret: 'QUJD', createdAt: 'unknown' },
    ]);
  });
});
