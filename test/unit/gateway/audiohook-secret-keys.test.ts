import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AUDIOHOOK_SECRET_FIELDS } from '#core/contract/audiohook-secret.ts';
import { audioHookSecret } from '#core/credentials/credential-store.ts';
import type { AudioHookPair } from '#core/credentials/credential-set.ts';
import { parseApiKeys } from '#gateway/audiohook/api-keys.ts';

/**
 * The AudioHook secret in AWS, end to end without AWS: the shape `npm run credentials` writes, the
 * fields the stack injects into the task (AUDIOHOOK_SECRET_FIELDS, as ECS does by JSON key), and the
 * gateway's parsing of them. During a rotation both pairs are accepted; the secret the stack first
 * creates (`apiKeys` empty) is accepted as it is.
 */
const pair = (apiKey: string, rotatedAt?: string): AudioHookPair => ({
  apiKey,
  clientSecret: randomBytes(32).toString('base64'),
  createdAt: '2026-01-01T00:00:00Z',
  ...(rotatedAt ? { rotatedAt } : {}),
});

/** What the task's environment holds: each AUDIOHOOK_SECRET_FIELDS variable from the secret's JSON field. */
const taskEnv = (secret: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(AUDIOHOOK_SECRET_FIELDS).map(([name, field]) => [name, String(secret[field])]));

describe('AudioHook secret → task environment → gateway keys', () => {
  it('accepts the secret the stack creates: apiKey, clientSecret and an empty apiKeys', () => {
    const created = { apiKey: 'ah-1234', clientSecret: 'A'.repeat(44), apiKeys: '' };
    const { keys } = parseApiKeys(taskEnv(created));
    expect(keys.size).toBe(1);
    expect(keys.lookup('ah-1234')?.secret?.equals(Buffer.from('A'.repeat(44), 'base64'))).toBe(true);
  });

  it('during a rotation accepts the new pair and every older one still valid, each with its own secret', () => {
    const pairs = [pair('ah-old', '2026-02-01T00:00:00Z'), pair('ah-older', '2026-01-15T00:00:00Z'), pair('ah-new')];
    const { keys } = parseApiKeys(taskEnv(audioHookSecret(pairs)));
    expect(keys.size).toBe(3);
    for (const p of pairs) expect(keys.lookup(p.apiKey)?.secret?.equals(Buffer.from(p.clientSecret, 'base64')), p.apiKey).toBe(true);
  });
});
