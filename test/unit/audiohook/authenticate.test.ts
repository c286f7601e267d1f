import { describe, expect, it, vi } from 'vitest';
import type { AppLogger } from '#core/logger.ts';
import { createApiKeySet } from '#gateway/audiohook/api-keys.ts';
import type { ApiKeySet } from '#gateway/audiohook/api-keys.ts';
import { authenticateUpgrade, DEFAULT_FAILURE_FLOOR_MS } from '#gateway/audiohook/authenticate.ts';
import type { AuthenticateOptions, AuthOutcome, UpgradeRequest } from '#gateway/audiohook/authenticate.ts';
import { NonceCache } from '#gateway/audiohook/nonce-cache.ts';
import { signRequest } from '#gateway/audiohook/signature.ts';
import { NOW, OTHER_KEY, OTHER_SECRET, UNSIGNED_KEY, V } from './signature-fixtures.ts';

const FLOOR = 120;
const keys = createApiKeySet([
  [V.apiKey, V.secret],
  [OTHER_KEY, OTHER_SECRET],
  [UNSIGNED_KEY, null],
]);

function upgrade(headers: Record<string, string | undefined> = {}, url: string | null = V.requestTarget): UpgradeRequest {
  const all: Record<string, string | undefined> = {
    host: V.authority,
    connection: 'Upgrade',
    upgrade: 'websocket',
    'sec-websocket-version': '13',
    'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
    'audiohook-organization-id': V.organizationId,
    'audiohook-session-id': V.sessionId,
    'audiohook-correlation-id': V.correlationId,
    'x-api-key': V.apiKey,
    'signature-input': V.signatureInput,
    signature: V.signature,
    ...headers,
  };
  for (const name of Object.keys(all)) if (all[name] === undefined) delete all[name];
  return url === null ? { headers: all } : { url, headers: all };
}

function silentLogger() {
  const calls: unknown[][] = [];
  const record = (...args: unknown[]) => void calls.push(args);
  const log = { debug: vi.fn(record), info: vi.fn(record), warn: vi.fn(record), error: vi.fn(record) };
  return { log, logger: log as unknown as AppLogger, calls };
}

function options(overrides: Partial<AuthenticateOptions> = {}): AuthenticateOptions {
  return { nonceCache: new NonceCache(), failureFloorMs: FLOOR, now: () => NOW, logger: silentLogger().logger, ...overrides };
}

async function timed(run: () => Promise<AuthOutcome>): Promise<{ outcome: AuthOutcome; ms: number }> {
  const started = performance.now();
  const outcome = await run();
  return { outcome, ms: performance.now() - started };
}

/** Resolves with the outcome if it settles before any timer can run, else with 'pending'. */
async function settlesImmediately(promise: Promise<AuthOutcome>): Promise<AuthOutcome | 'pending'> {
  return Promise.race([promise, new Promise<'pending'>((resolve) => setImmediate(() => resolve('pending')))]);
}

describe('authenticateUpgrade: outcomes', () => {
  it('accepts the test vector', async () => {
    expect(await authenticateUpgrade(upgrade(), keys, options())).toEqual({ ok: true, apiKey: V.apiKey, signed: true, warnings: [] });
  });

  it('accepts an unsigned request for a key without a secret', async () => {
    const req = upgrade({ 'x-api-key': UNSIGNED_KEY, 'signature-input': undefined, signature: undefined });
    expect(await authenticateUpgrade(req, keys, options())).toEqual({ ok: true, apiKey: UNSIGNED_KEY, signed: false, warnings: [] });
  });

  it('reads @request-target from req.url, query string included', async () => {
    const url = '/api/v1/audiohook/ws?tenant=a%20b&x=1';
    const signed = signRequest({
      apiKey: V.apiKey,
      secret: V.secret,
      requestTarget: url,
      authority: V.authority,
      organizationId: V.organizationId,
      sessionId: V.sessionId,
      correlationId: V.correlationId,
    });
    const now = () => Date.now() / 1000;
    expect((await authenticateUpgrade(upgrade(signed, url), keys, options({ now }))).ok).toBe(true);
    expect(await authenticateUpgrade(upgrade(signed, '/api/v1/audiohook/ws'), keys, options({ now }))).toMatchObject({ code: 'FAILED' });
  });

  it('reads @authority from the Host header', async () => {
    expect(await authenticateUpgrade(upgrade({ host: 'other.example.com' }), keys, options())).toMatchObject({ code: 'FAILED' });
    expect(await authenticateUpgrade(upgrade({ host: undefined }), keys, options())).toMatchObject({ code: 'PRECONDITION' });
  });

  it('a missing url is a missing request target', async () => {
    expect(await authenticateUpgrade(upgrade({}, null), keys, options())).toMatchObject({ code: 'PRECONDITION' });
  });

  it('uses the system clock by default (the 2022 vector is long expired)', async () => {
    const { now: _now, ...rest } = options();
    expect(await authenticateUpgrade(upgrade(), keys, rest)).toMatchObject({ ok: false, code: 'EXPIRED' });
  });

  it('rejects a replay through a shared cache', async () => {
    const nonceCache = new NonceCache();
    expect((await authenticateUpgrade(upgrade(), keys, options({ nonceCache }))).ok).toBe(true);
    expect(await authenticateUpgrade(upgrade(), keys, options({ nonceCache }))).toMatchObject({ code: 'REPLAY' });
  });

  it('claims the nonce only after the MAC verified, and waits for a cache that answers later', async () => {
    const claimed: string[] = [];
    const slow = {
      checkAndRemember: async (nonce: string) => {
        await new Promise((r) => setTimeout(r, 5));
        const seen = claimed.includes(nonce);
        claimed.push(nonce);
        return !seen;
      },
    };
    const forged = upgrade({ signature: `sig1=:${Buffer.alloc(32).toString('base64')}:` });
    expect(await authenticateUpgrade(forged, keys, options({ nonceCache: slow }))).toMatchObject({ code: 'FAILED' });
    expect(claimed).toEqual([]);
    expect((await authenticateUpgrade(upgrade(), keys, options({ nonceCache: slow }))).ok).toBe(true);
    expect(await authenticateUpgrade(upgrade(), keys, options({ nonceCache: slow }))).toMatchObject({ code: 'REPLAY' });
    expect(claimed).toEqual([`${V.apiKey} ${V.nonce}`, `${V.apiKey} ${V.nonce}`]);
  });

  it('refuses a request with two Host fields (RFC 9112 §3.2), whichever one Node kept', async () => {
    const req = { ...upgrade(), rawHeaders: ['Host', V.authority, 'Host', 'evil.example.com'] };
    expect(await authenticateUpgrade(req, keys, options())).toMatchObject({
      ok: false,
      code: 'INVALID',
      reason: expect.stringMatching(/Host/),
    });
    expect((await authenticateUpgrade({ ...upgrade(), rawHeaders: ['Host', V.authority] }, keys, options())).ok).toBe(true);
  });

  it('allows replays with nonceCache: null', async () => {
    const opts = options({ nonceCache: null });
    expect((await authenticateUpgrade(upgrade(), keys, opts)).ok).toBe(true);
    expect((await authenticateUpgrade(upgrade(), keys, opts)).ok).toBe(true);
  });

  it('looks keys up in the given set', async () => {
    const empty = createApiKeySet([]);
    expect(await authenticateUpgrade(upgrade(), empty, options())).toMatchObject({ code: 'FAILED', reason: 'unknown API key' });
  });

  it('never rejects: a throwing key lookup fails closed as FAILED, after the floor', async () => {
    const broken: ApiKeySet = {
      size: 1,
      lookup: () => {
        throw new Error('store unavailable');
      },
    };
    const { log, logger } = silentLogger();
    const { outcome, ms } = await timed(() => authenticateUpgrade(upgrade(), broken, options({ logger })));
    expect(outcome).toMatchObject({ ok: false, code: 'FAILED' });
    expect(ms).toBeGreaterThanOrEqual(FLOOR);
    expect(log.error).toHaveBeenCalledTimes(1);
  });
});

describe('authenticateUpgrade: timing floor', () => {
  const failures: Array<[string, UpgradeRequest, Partial<AuthenticateOptions>?]> = [
    ['PRECONDITION (no X-API-KEY)', upgrade({ 'x-api-key': undefined })],
    ['INVALID (only Signature-Input)', upgrade({ signature: undefined })],
    ['INVALID (garbage)', upgrade({ 'signature-input': '!!!' })],
    ['UNSIGNED', upgrade({ 'signature-input': undefined, signature: undefined })],
    ['EXPIRED', upgrade(), { now: () => V.created + 60 }],
    ['UNSUPPORTED', upgrade({ 'signature-input': V.signatureInput.replace('"x-api-key")', '"x-api-key" "@method")') })],
    ['FAILED (wrong signature)', upgrade({ signature: 'sig1=:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=:' })],
    [
      'FAILED (unknown key)',
      upgrade({ 'x-api-key': 'nobody', 'signature-input': V.signatureInput.replace(`keyid="${V.apiKey}"`, 'keyid="nobody"') }),
    ],
    ['FAILED (unknown key, unsigned)', upgrade({ 'x-api-key': 'nobody', 'signature-input': undefined, signature: undefined })],
  ];

  it.each(failures)('%s resolves no earlier than the floor', async (name, req, extra) => {
    const started = performance.now();
    const promise = authenticateUpgrade(req, keys, options(extra));
    expect(await settlesImmediately(promise)).toBe('pending');
    const outcome = await promise;
    expect(performance.now() - started).toBeGreaterThanOrEqual(FLOOR);
    expect(outcome.ok).toBe(false);
    expect(name.startsWith(outcome.ok ? '' : outcome.code)).toBe(true);
  });

  it('success settles at once, before any timer', async () => {
    const outcome = await settlesImmediately(authenticateUpgrade(upgrade(), keys, options()));
    expect(outcome).toMatchObject({ ok: true });
  });

  it('unsigned success settles at once too', async () => {
    const req = upgrade({ 'x-api-key': UNSIGNED_KEY, 'signature-input': undefined, signature: undefined });
    expect(await settlesImmediately(authenticateUpgrade(req, keys, options()))).toMatchObject({ ok: true });
  });

  it('measures the floor from the start of verification, not from its end', async () => {
    let first = true;
    const slow: ApiKeySet = {
      size: 1,
      lookup: (key) => {
        if (first) {
          first = false;
          const until = performance.now() + FLOOR + 30;
          while (performance.now() < until) {
            // busy: verification itself outlasts the floor
          }
        }
        return keys.lookup(key);
      },
    };
    const started = performance.now();
    const outcome = await authenticateUpgrade(upgrade({ signature: 'sig1=:AAAA:' }), slow, options());
    const ms = performance.now() - started;
    expect(outcome.ok).toBe(false);
    expect(ms).toBeGreaterThanOrEqual(FLOOR + 30);
    expect(ms).toBeLessThan(2 * FLOOR + 30);
  });

  it('unknown key and wrong signature are indistinguishable: same code, both held to the floor', async () => {
    const wrongSig = upgrade({ signature: 'sig1=:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=:' });
    const unknownKey = upgrade({
      'x-api-key': 'nobody',
      'signature-input': V.signatureInput.replace(`keyid="${V.apiKey}"`, 'keyid="nobody"'),
    });
    const [a, b] = await Promise.all([
      timed(() => authenticateUpgrade(wrongSig, keys, options())),
      timed(() => authenticateUpgrade(unknownKey, keys, options())),
    ]);
    expect(a.outcome).toMatchObject({ ok: false, code: 'FAILED' });
    expect(b.outcome).toMatchObject({ ok: false, code: 'FAILED' });
    expect(a.ms).toBeGreaterThanOrEqual(FLOOR);
    expect(b.ms).toBeGreaterThanOrEqual(FLOOR);
  });

  it('defaults to 500 ms', async () => {
    expect(DEFAULT_FAILURE_FLOOR_MS).toBe(500);
    const { failureFloorMs: _floor, ...rest } = options();
    const { outcome, ms } = await timed(() => authenticateUpgrade(upgrade({ 'x-api-key': 'nobody' }), keys, rest));
    expect(outcome.ok).toBe(false);
    expect(ms).toBeGreaterThanOrEqual(500);
  });

  it('a floor of 0 resolves failures without waiting', async () => {
    const { outcome, ms } = await timed(() =>
      authenticateUpgrade(upgrade({ 'x-api-key': undefined }), keys, options({ failureFloorMs: 0 })),
    );
    expect(outcome.ok).toBe(false);
    expect(ms).toBeLessThan(FLOOR);
  });

  it('concurrent failures each wait their own floor, not in series', async () => {
    const started = performance.now();
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () => authenticateUpgrade(upgrade({ 'x-api-key': 'nobody' }), keys, options())),
    );
    const ms = performance.now() - started;
    expect(outcomes.every((o) => !o.ok)).toBe(true);
    expect(ms).toBeGreaterThanOrEqual(FLOOR);
    expect(ms).toBeLessThan(4 * FLOOR);
  });
});

describe('authenticateUpgrade: forwarded headers', () => {
  // A proxy rewrote Host and path; the originals travel in forwarded headers.
  const proxied = (extra: Record<string, string | undefined> = {}) =>
    upgrade({ host: 'internal:8080', 'x-forwarded-host': V.authority, 'x-forwarded-uri': V.requestTarget, ...extra }, '/ws');

  it('are ignored by default', async () => {
    expect(await authenticateUpgrade(proxied(), keys, options())).toMatchObject({ code: 'FAILED' });
  });

  it('are ignored when explicitly off', async () => {
    expect(await authenticateUpgrade(proxied(), keys, options({ trustForwardedHeaders: false }))).toMatchObject({ code: 'FAILED' });
  });

  it('replace Host and path when trusted', async () => {
    expect((await authenticateUpgrade(proxied(), keys, options({ trustForwardedHeaders: true }))).ok).toBe(true);
  });

  it('may have custom names (any case)', async () => {
    const req = upgrade({ host: 'internal', 'x-original-host': V.authority, 'x-original-uri': V.requestTarget }, '/ws');
    const trustForwardedHeaders = { host: 'X-Original-Host', target: 'X-Original-URI' };
    expect((await authenticateUpgrade(req, keys, options({ trustForwardedHeaders }))).ok).toBe(true);
  });

  it('fall back to the received values when absent', async () => {
    expect((await authenticateUpgrade(upgrade(), keys, options({ trustForwardedHeaders: true }))).ok).toBe(true);
    const onlyHost = upgrade({ host: 'internal', 'x-forwarded-host': V.authority });
    expect((await authenticateUpgrade(onlyHost, keys, options({ trustForwardedHeaders: true }))).ok).toBe(true);
  });

  it('use the last X-Forwarded-Host entry, the one the trusted proxy appended', async () => {
    const trust = options({ trustForwardedHeaders: true });
    expect((await authenticateUpgrade(proxied({ 'x-forwarded-host': `evil.example.com, ${V.authority}` }), keys, trust)).ok).toBe(true);
    expect(
      await authenticateUpgrade(
        proxied({ 'x-forwarded-host': `${V.authority}, evil.example.com` }),
        keys,
        options({ trustForwardedHeaders: true }),
      ),
    ).toMatchObject({
      code: 'FAILED',
    });
  });

  it('use the forwarded target verbatim, commas included', async () => {
    const url = '/ws?ids=1,2';
    const signed = signRequest({
      apiKey: V.apiKey,
      secret: V.secret,
      requestTarget: url,
      authority: V.authority,
      organizationId: V.organizationId,
      sessionId: V.sessionId,
      correlationId: V.correlationId,
    });
    const req = upgrade({ ...signed, 'x-forwarded-uri': url }, '/rewritten');
    expect((await authenticateUpgrade(req, keys, options({ trustForwardedHeaders: true, now: () => Date.now() / 1000 }))).ok).toBe(true);
  });
});

describe('authenticateUpgrade: logging', () => {
  const credentials = [V.apiKey, V.nonce, V.secretBase64, V.secret.toString('latin1'), 'NZBwyBHRRyRoeLqy1IzOa9VYBuI8TgMFt2GRDkDuJh4'];

  it('logs a failure once, with code, reason and connection ids, and no credentials', async () => {
    const { log, logger, calls } = silentLogger();
    await authenticateUpgrade(upgrade({ signature: 'sig1=:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=:' }), keys, options({ logger }));
    expect(log.warn).toHaveBeenCalledTimes(1);
    expect(log.warn.mock.calls[0][1]).toEqual({
      correlationId: V.correlationId,
      sessionId: V.sessionId,
      organizationId: V.organizationId,
      code: 'FAILED',
      reason: 'signatures do not match',
    });
    const text = JSON.stringify(calls);
    for (const secret of credentials) expect(text).not.toContain(secret);
  });

  it('logs success at debug level, without credentials', async () => {
    const { log, logger, calls } = silentLogger();
    await authenticateUpgrade(upgrade(), keys, options({ logger }));
    expect(log.warn).not.toHaveBeenCalled();
    expect(log.debug).toHaveBeenCalledTimes(1);
    const text = JSON.stringify(calls);
    for (const secret of credentials) expect(text).not.toContain(secret);
  });

  it('logs each verification warning', async () => {
    const { log, logger } = silentLogger();
    const req = upgrade({ 'x-api-key': UNSIGNED_KEY });
    expect(await authenticateUpgrade(req, keys, options({ logger }))).toMatchObject({ ok: true, signed: false });
    expect(log.warn).toHaveBeenCalledTimes(1);
    expect(log.warn.mock.calls[0][1]).toMatchObject({ warning: expect.stringMatching(/no secret/) });
  });

  it('bounds client-supplied ids in log lines', async () => {
    const { log, logger } = silentLogger();
    await authenticateUpgrade(upgrade({ 'audiohook-correlation-id': 'x'.repeat(10_000) }), keys, options({ logger }));
    expect((log.warn.mock.calls[0][1] as { correlationId: string }).correlationId).toHaveLength(64);
  });
});
