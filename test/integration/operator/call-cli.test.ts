import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiLambda } from '#core/contract/routes.ts';
import { createStartStreamingHandler } from '#lambdas/start-streaming/handler.ts';
import { LocalApiServer, type ProxyHandler } from '#local/api-server.ts';
import { runCli } from '#test/support/cli.ts';
import { useEmulators } from '#test/support/emulators.ts';
import { startTestGateway, TEST_API_KEY, TEST_CLIENT_SECRET, type TestGateway } from '#test/support/gateway.ts';
import { CREDENTIALS, configureApiEnv } from '../api/api-test-kit.ts';

/** `npm run call` as a newcomer runs it: bad flags and a refused start-streaming fail clearly. */

useEmulators({ prefix: 'callcli' });
let gw: TestGateway;
let api: LocalApiServer;
let apiUrl: string;

beforeAll(async () => {
  configureApiEnv();
  gw = await startTestGateway();
  const notHere: ProxyHandler = async () => ({ statusCode: 404, body: '{}' });
  api = new LocalApiServer({
    'start-streaming': createStartStreamingHandler() as ProxyHandler,
    'stop-streaming': notHere,
    'conversation-messages': notHere,
    'file-exporter': notHere,
    console: notHere,
    'custom-vocabularies': notHere,
    'conversation-recordings': notHere,
  } satisfies Record<ApiLambda, ProxyHandler>);
  apiUrl = `http://127.0.0.1:${(await api.listen(0, '127.0.0.1')).port}`;
});
afterAll(async () => {
  await api?.close();
  await gw?.close();
});

const call = (args: string[]) => runCli('simulator/cli.ts', args, process.env, { timeoutMs: 60_000 });

describe('npm run call', () => {
  it('refuses an unknown flag with one line and exit 2, no stack trace', async () => {
    const result = await call(['--bogus']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("'--bogus'");
    expect(result.stderr).not.toMatch(/^\s+at /m);
    const speed = await call(['--speed', '0']);
    expect(speed.code).toBe(2);
    expect(speed.stderr).toContain('--speed');
    expect(speed.stderr).not.toMatch(/^\s+at /m);
  });

  it('stops, ends the session and exits 1 when start-streaming refuses the credentials (401)', async () => {
    const framesBefore = gw.server.framesReceived;
    const result = await call([
      '--url',
      gw.url,
      '--api-key',
      TEST_API_KEY,
      '--client-secret',
      TEST_CLIENT_SECRET,
      '--start',
      '--api',
      apiUrl,
      '--api-id',
      CREDENTIALS.acme.id,
      '--api-secret',
      'not-the-secret',
      '--fast',
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('start-streaming: HTTP 401');
    expect(result.stderr).toContain('start-streaming answered HTTP 401');
    expect(result.stdout).not.toContain('closed:');
    // Not one frame of audio went out, and the session ended with its close transaction.
    expect(gw.server.framesReceived).toBe(framesBefore);
    await expect.poll(() => gw.server.sessions.size).toBe(0);
  });
});
