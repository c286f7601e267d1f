import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookBodySchema } from '#core/webhook/queued-message.ts';
import { runCli } from '#test/support/cli.ts';
import { createTestPki, type TestPki } from '../webhook/support/certs.ts';
import { startServer, type ReceivedRequest, type TestServer } from '../webhook/support/servers.ts';

/**
 * `npm run webhook-load` against real HTTPS targets on loopback, with the service's authentication
 * modes: the exact body shape, per-call order, the counts, and where a target with a fixed capacity
 * starts to fail.
 */

let pki: TestPki;
const servers: TestServer[] = [];
const load = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  runCli('webhook-load-cli.ts', ['--progress-seconds', '1', ...args], { ...process.env, ...env }, { timeoutMs: 90_000 });

interface Summary {
  planned: number;
  sent: number;
  delivered: number;
  failed: number;
  timeouts: number;
  reasons: Record<string, number>;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  peakCalls: number;
  breakingPoint: { calls: number; inFlight: number; failurePct: number } | null;
  authModes: string[];
  target: string;
}
const lastJson = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1)!) as Summary;

beforeAll(() => {
  pki = createTestPki();
});

afterAll(async () => {
  for (const s of servers) await s.close();
  pki?.cleanup();
});

async function server(respond: (req: ReceivedRequest, res: import('node:http').ServerResponse) => void, mtls = false) {
  const s = await startServer(
    { cert: pki.server.cert, key: pki.server.key, ...(mtls ? { requestCert: true, rejectUnauthorized: true, ca: pki.clientCa.cert } : {}) },
    respond,
  );
  servers.push(s);
  return s;
}

describe('npm run webhook-load', () => {
  it('finds the concurrency at which a target with room for 3 requests at a time starts to fail (mTLS, custom CA)', async () => {
    let inFlight = 0;
    // Each request is held 200 ms: at full load (24 requests a second) about five overlap, so the fourth
    // concurrent request comes even when a loaded machine sends late and in clumps.
    const target = await server((_req, res) => {
      inFlight++;
      const full = inFlight > 3;
      setTimeout(() => {
        inFlight--;
        res.writeHead(full ? 503 : 200).end();
      }, 200);
    }, true);
    const { code, stdout, stderr } = await load([
      '--url',
      `${target.url}?tenant=acme`,
      '--calls',
      '12',
      '--minutes',
      '0.15',
      '--rate',
      '120',
      '--ramp-seconds',
      '5',
      '--auth-mode',
      'custom-ca+mtls',
      '--ca-file',
      join(pki.dir, 'server-ca.pem'),
      '--cert-file',
      join(pki.dir, 'client.pem'),
      '--key-file',
      join(pki.dir, 'client.key'),
    ]);
    expect(code, stderr).toBe(1);
    const s = lastJson(stdout);
    expect(s.target).toBe(target.url);
    expect(s.authModes.sort()).toEqual(['custom-ca', 'mtls']);
    expect(s.sent).toBe(s.planned);
    expect(s.delivered + s.failed + s.timeouts).toBe(s.sent);
    expect(target.requests).toHaveLength(s.sent);
    expect(s.failed).toBeGreaterThan(0);
    expect(s.reasons).toEqual({ 'status 503': s.failed });
    expect(s.peakCalls).toBe(12);
    // The target refuses only when a fourth request overlaps three others.
    expect(s.breakingPoint!.inFlight).toBeGreaterThanOrEqual(4);
    expect(s.breakingPoint!.calls).toBeGreaterThanOrEqual(4);
    expect(s.latencyMs.p50).toBeGreaterThanOrEqual(200);
    expect(stdout).toMatch(/the target started to fail at \d+ concurrent calls \(\d+ requests in flight\)/);
    expect(stderr).toMatch(/calls \d+\/12 +sent \d+\/\d+/);

    // The exact body shape, every conversation in order per speaker, the customer's query kept.
    const bodies = target.requests.map((r) => {
      expect(r.url).toBe('/hook?tenant=acme');
      expect(r.headers['content-type']).toBe('application/json');
      const body = JSON.parse(r.body) as Record<string, unknown>;
      expect(Object.keys(body)).toEqual(['type', 'externalConversationId', 'streamId', 'sender', 'autotranscribeResponse']);
      return webhookBodySchema.parse(body);
    });
    const conversations = new Set(bodies.map((b) => b.externalConversationId));
    expect(conversations.size).toBe(12);
    for (const stream of new Set(bodies.map((b) => b.streamId))) {
      const starts = bodies.filter((b) => b.streamId === stream).map((b) => b.autotranscribeResponse.start);
      expect(starts).toEqual([...starts].sort((a, b) => a - b));
    }
    // About 120 a minute per call over its share of 9 s, and both speakers in each call.
    expect(s.planned).toBeGreaterThan(80);
    expect(new Set(bodies.map((b) => b.sender.role))).toEqual(new Set(['customer', 'agent']));
  }, 120_000);

  it('reports a target that keeps up (OAuth2 client credentials) with exit code 0 and counts timeouts (secret token)', async () => {
    const issued = new Set<string>();
    const idp = await server((req, res) => {
      const token = `tok-${issued.size + 1}`;
      issued.add(token);
      expect(req.headers.authorization).toBe(`Basic ${Buffer.from('load-client:load-secret').toString('base64')}`);
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: 3600 }));
    });
    const target = await server((req, res) =>
      res.writeHead(issued.has(req.headers.authorization?.replace('Bearer ', '') ?? '') ? 200 : 401).end(),
    );
    const ok = await load(
      [
        '--url',
        target.url,
        '--calls',
        '3',
        '--minutes',
        '0.1',
        '--rate',
        '60',
        '--auth-mode',
        'custom-ca+oauth2',
        '--ca-file',
        join(pki.dir, 'server-ca.pem'),
        '--oauth2-token-url',
        idp.url.replace('/hook', '/token'),
        '--oauth2-client-id',
        'load-client',
      ],
      { WEBHOOK_OAUTH2_CLIENT_SECRET: 'load-secret' },
    );
    expect(ok.code, ok.stderr).toBe(0);
    const s = lastJson(ok.stdout);
    expect(s).toMatchObject({ failed: 0, timeouts: 0, breakingPoint: null });
    expect(s.delivered).toBe(s.planned);
    expect(ok.stdout).toContain('the target kept up');
    expect(ok.stdout + ok.stderr).not.toContain('load-secret');
    expect(issued.size).toBe(1);

    // One conversation's requests hang: each times out, and that call falls behind, not the others.
    const slow = await server((req, res) => {
      expect(req.headers['x-hook-token']).toBe('tok-secret-value');
      const body = JSON.parse(req.body) as { sender: { role: string } };
      if (body.sender.role === 'customer') return; // never answered
      res.writeHead(200).end();
    });
    const timeouts = await load(
      [
        '--url',
        slow.url,
        '--calls',
        '2',
        '--minutes',
        '0.1',
        '--rate',
        '60',
        '--timeout-ms',
        '300',
        '--json',
        '--auth-mode',
        'custom-ca+secret-token',
        '--ca-file',
        join(pki.dir, 'server-ca.pem'),
        '--token-name',
        'X-Hook-Token',
      ],
      { WEBHOOK_SECRET_TOKEN_VALUE: 'tok-secret-value' },
    );
    expect(timeouts.code, timeouts.stderr).toBe(1);
    expect(timeouts.stdout.trim().split('\n')).toHaveLength(1);
    const t = lastJson(timeouts.stdout);
    expect(t.timeouts).toBeGreaterThan(0);
    expect(t.reasons).toEqual({ timeout: t.timeouts });
    expect(t.delivered + t.timeouts).toBe(t.sent);
  }, 120_000);

  it('exits 3 when the target cannot be reached and 2 on bad flags or configuration', async () => {
    const gone = await server((_req, res) => res.end());
    const url = gone.url.replace('https://localhost', 'http://127.0.0.1');
    await gone.close();
    servers.splice(servers.indexOf(gone), 1);
    const down = await load(['--url', url, '--calls', '1', '--minutes', '0.05', '--rate', '60']);
    expect(down.code, down.stderr).toBe(3);
    expect(lastJson(down.stdout).reasons).toHaveProperty('ECONNREFUSED');
    // A long run against a target nobody can reach stops after its first 10 requests, not after --minutes.
    const started = Date.now();
    const long = await load(['--url', url, '--calls', '5', '--minutes', '60', '--rate', '120', '--ramp-seconds', '0']);
    expect(long.code, long.stderr).toBe(3);
    expect(long.stderr).toMatch(/the first 1\d requests could not reach the target \(ECONNREFUSED\): stopping/);
    const summary = lastJson(long.stdout) as Summary & { interrupted: boolean };
    expect(summary).toMatchObject({ interrupted: true, delivered: 0 });
    expect(summary.sent).toBeLessThan(100);
    expect(Date.now() - started).toBeLessThan(60_000);
    // A run too short for any call to speak sends nothing, and says so instead of reporting success.
    const empty = await load(['--url', url, '--calls', '2', '--minutes', '0.05']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('no call speaks within 0.05 min');

    expect((await load([])).code).toBe(2);
    const badMode = await load(['--url', 'https://example.invalid/hook', '--auth-mode', 'secret-token']);
    expect(badMode.code).toBe(2);
    expect(badMode.stderr).toContain('WEBHOOK_SECRET_TOKEN_NAME is required');
    const tooMuch = await load(['--url', 'http://127.0.0.1:1/hook', '--calls', '2000', '--minutes', '120', '--rate', '120']);
    expect(tooMuch.code).toBe(2);
    expect(tooMuch.stderr).toMatch(/messages planned: at most 1000000 per run/);
    const help = await load(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--auth-mode MODE');
  }, 120_000);
});
