import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkTls } from '#local/doctor/checks.ts';
import { removeRuntimeEnv, runtimeEnvFile, writeRuntimeEnv } from '#local/runtime-env.ts';
import { startLocalSystem, type LocalSystem } from '#local/system.ts';
import { runCli } from '#test/support/cli.ts';
import { createTestPki, type TestPki } from '../webhook/support/certs.ts';
import { startServer, type TestServer } from '../webhook/support/servers.ts';

/**
 * `npm run doctor` against `npm start`: every step's verdict on a healthy system, a failing verdict
 * and exit code when the credentials are wrong, and the TLS check against real TLS servers.
 */

let system: LocalSystem;
let pki: TestPki;
const servers: TestServer[] = [];

beforeAll(async () => {
  pki = createTestPki();
  Object.assign(process.env, { API_PORT: '0', GATEWAY_PORT: '0', CONTROL_PORT: '0', WEBHOOK_RECEIVER_PORT: '0', RECOGNIZER: 'none' });
  system = await startLocalSystem({ scheduler: false, print: () => undefined });
}, 60_000);

afterAll(async () => {
  await system?.stop();
  for (const s of servers) await s.close();
  pki?.cleanup();
});

const clean = (env: NodeJS.ProcessEnv) =>
  Object.fromEntries(
    Object.entries(env).filter(([k]) => !k.startsWith('WEBHOOK_') && !k.startsWith('AUDIOHOOK_') && k !== 'API_ID' && k !== 'API_SECRET'),
  );
const doctor = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  runCli('doctor-cli.ts', args, { ...clean(process.env), ...env }, { timeoutMs: 90_000 });

interface Report {
  ok: boolean;
  verdicts: Array<{ step: string; status: string; summary: string }>;
}

describe('npm run doctor', () => {
  it('passes every step against a healthy local system and says so in plain words', async () => {
    const { code, stdout, stderr } = await doctor([
      '--url',
      system.urls.audiohook,
      '--api-url',
      system.urls.api,
      '--webhook-url',
      system.urls.webhook,
      '--seconds',
      '2',
    ]);
    expect(code, stdout + stderr).toBe(0);
    expect(stdout).toMatch(/WARN +TLS certificate of 127\.0\.0\.1:\d+: ws:\/\/ is not encrypted/);
    expect(stdout).toMatch(/WARN +TLS certificate of 127\.0\.0\.1:\d+: http:\/\/ is not encrypted/);
    expect(stdout).toMatch(/PASS +connection probe: the gateway accepted the signed connection probe/);
    expect(stdout).toMatch(/PASS +signed session: a signed session streamed 2\.0 s of call audio and closed cleanly/);
    expect(stdout).toMatch(/PASS +start-streaming/);
    expect(stdout).toMatch(/PASS +stop-streaming: the API stopped transcription and reported 0 utterances/);
    expect(stdout, stdout).toMatch(/PASS +webhook: http:\/\/127\.0\.0\.1:\d+\/webhook accepted a transcript webhook \(204/);
    expect(stdout.trim().split('\n').at(-1)).toBe('verdict: ready, with 2 warnings to look at');
  }, 120_000);

  it('with no --url checks the npm start running in this checkout: its gateway, API and webhook target', async () => {
    // What npm start writes for the other commands while it runs (here for the system this file started).
    const file = writeRuntimeEnv(
      {
        LOCAL_AUDIOHOOK_URL: system.urls.audiohook,
        LOCAL_API_URL: system.urls.api,
        WEBHOOK_URL: system.urls.webhook,
        WEBHOOK_AUTH_MODE: 'none',
      },
      { standIns: true, file: runtimeEnvFile(process.pid) },
    );
    try {
      const { code, stdout, stderr } = await doctor(['--seconds', '1', '--json']);
      expect(code, stdout + stderr).toBe(0);
      expect(stderr).toContain(`doctor: using the running npm start (${file})`);
      const report = JSON.parse(stdout) as Report;
      expect(report.verdicts.map((v) => `${v.step} ${v.status}`)).toEqual([
        expect.stringMatching(/^TLS certificate of 127\.0\.0\.1:\d+ warn$/),
        expect.stringMatching(/^TLS certificate of 127\.0\.0\.1:\d+ warn$/),
        'connection probe pass',
        'signed session pass',
        'start-streaming pass',
        'stop-streaming pass',
        'webhook pass',
      ]);
    } finally {
      removeRuntimeEnv(file);
    }
  }, 120_000);

  it('fails with exit code 1 and names the cause when the client secret is wrong, or the API credentials are', async () => {
    const wrong = await doctor(['--url', system.urls.audiohook, '--api-key', 'dev-audiohook-api-key', '--json'], {
      AUDIOHOOK_CLIENT_SECRET: Buffer.alloc(32, 1).toString('base64'),
    });
    expect(wrong.code).toBe(1);
    const report = JSON.parse(wrong.stdout) as Report;
    expect(report.ok).toBe(false);
    expect(report.verdicts.find((v) => v.step === 'connection probe')).toMatchObject({ status: 'fail' });
    expect(report.verdicts.find((v) => v.step === 'signed session')).toMatchObject({ status: 'skip' });
    expect(wrong.stdout).not.toContain(Buffer.alloc(32, 1).toString('base64'));

    const badApi = await doctor(
      ['--url', system.urls.audiohook, '--api-url', system.urls.api, '--api-id', 'nobody', '--seconds', '1', '--json'],
      { API_SECRET: 'wrong-secret' },
    );
    expect(badApi.code).toBe(1);
    const api = JSON.parse(badApi.stdout) as Report;
    expect(api.verdicts.find((v) => v.step === 'start-streaming')).toMatchObject({
      status: 'fail',
      summary: expect.stringContaining('start-streaming answered 401'),
    });
    expect(api.verdicts.find((v) => v.step === 'signed session')).toMatchObject({ status: 'pass' });

    // A wrong path and a host nobody answers on are told apart: 1 with the path named, 3 unreachable.
    const wrongPath = await doctor(['--url', system.urls.audiohook.replace('/audiohook/ws', '/wrong'), '--json']);
    expect(wrongPath.code).toBe(1);
    expect((JSON.parse(wrongPath.stdout) as Report).verdicts.find((v) => v.step === 'connection probe')).toMatchObject({
      status: 'fail',
      summary: expect.stringContaining('HTTP 404: nothing listens on /wrong'),
    });
    const closed = await startServer();
    await closed.close();
    const down = await doctor(['--url', `ws://127.0.0.1:${new URL(closed.url).port}/audiohook/ws`, '--json']);
    expect(down.code).toBe(3);
    expect((JSON.parse(down.stdout) as Report).verdicts.find((v) => v.step === 'connection probe')).toMatchObject({
      status: 'fail',
      summary: expect.stringMatching(/^cannot reach 127\.0\.0\.1:\d+ \(ECONNREFUSED\)/),
    });

    expect((await doctor(['--url', system.urls.audiohook, '--seconds', '0'])).code).toBe(2);
    expect((await doctor(['--url', 'https://example.com/'])).code).toBe(2);
  }, 120_000);

  it('judges TLS certificates: trusted chain near expiry, untrusted issuer, expired', async () => {
    const serve = async (pair: { cert: string; key: string }) => {
      const s = await startServer({ cert: pair.cert, key: pair.key });
      servers.push(s);
      return new URL(s.url.replace('https:', 'wss:'));
    };
    const good = await serve(pki.server);
    const trusted = await checkTls(good, { ca: pki.serverCa.cert });
    expect(trusted).toMatchObject({
      status: 'warn',
      summary: expect.stringMatching(/^trusted certificate for localhost, .*expires in \d days, renew it soon$/),
    });
    expect(await checkTls(good)).toMatchObject({ status: 'fail', summary: expect.stringContaining('not trusted') });
    expect(await checkTls(await serve(pki.expiredServer), { ca: pki.serverCa.cert })).toMatchObject({ status: 'fail' });
    expect(await checkTls(await serve(pki.untrustedServer), { ca: pki.serverCa.cert })).toMatchObject({
      status: 'fail',
      summary: expect.stringContaining('not trusted'),
    });
    // Far from expiry, the same certificate passes.
    const earlier = Date.now() - 40 * 86_400_000;
    expect(await checkTls(good, { ca: pki.serverCa.cert, now: earlier })).toMatchObject({ status: 'pass' });
  }, 60_000);
});
