import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_API_ID, DEV_API_SECRET } from '#local/dev-credentials.ts';
import { AudioHookClient } from '#local/simulator/client.ts';
import { startStopApi } from '#local/simulator/control-api.ts';
import { runCli } from '#test/support/cli.ts';

/**
 * `npm run credentials` on the local configuration file and `npm start` reading it (the deployed
 * stack's Secrets Manager secrets: credentials-aws.test.ts): new pairs work at the API and at the AudioHook gateway, a rotated
 * pair keeps working beside its successor until it is revoked, and secrets appear once and never in
 * `list`.
 */

let dir: string;
let file: string;
/** `npm start` itself, as its own process: it reads the credentials file when it starts. */
let system: { process: ChildProcess; urls: { api: string; audiohook: string } } | undefined;
const cred = (args: string[]) => runCli('credentials-cli.ts', [...args, '--file', file], process.env);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'credentials-'));
  file = join(dir, 'credentials.json');
});

afterAll(async () => {
  await stop();
  rmSync(dir, { recursive: true, force: true });
});

async function stop(): Promise<void> {
  const child = system?.process;
  system = undefined;
  if (!child || child.exitCode !== null) return;
  await new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
}

async function restart(): Promise<void> {
  await stop();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    API_PORT: '0',
    GATEWAY_PORT: '0',
    CONTROL_PORT: '0',
    WEBHOOK_RECEIVER_PORT: '0',
    RECOGNIZER: 'none',
    AUTH_REJECTION: 'http401',
    CREDENTIALS_FILE: file,
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  };
  for (const k of ['API_CREDENTIALS', 'AUDIOHOOK_API_KEY', 'AUDIOHOOK_API_KEYS', 'API_ID', 'API_SECRET', 'AWS_ENDPOINT_URL']) delete env[k];
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/main.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  system = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start did not come up:\n${output}`)), 45_000);
    const onData = (c: Buffer) => {
      output += c.toString();
      const audiohook = /AudioHook \(Genesys connection URI\)\s+(\S+)/.exec(output)?.[1];
      const api = /API \(start\/stop, messages, files\)\s+(\S+)/.exec(output)?.[1];
      if (audiohook && api) {
        clearTimeout(timer);
        resolve({ process: child, urls: { api, audiohook } });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${output}`)));
  });
}

async function apiStatus(id: string, secret: string): Promise<number> {
  const api = startStopApi({ baseUrl: system!.urls.api, apiId: id, apiSecret: secret });
  return (await api.stop('5f1c2a1e-0000-4000-8000-000000000001')).status;
}

async function audioHookOpens(apiKey: string, clientSecret: string): Promise<boolean> {
  const client = new AudioHookClient({ url: system!.urls.audiohook, apiKey, clientSecret });
  try {
    await client.connect();
  } catch {
    return false;
  }
  const opened = await client.open();
  await client.close();
  return opened.type === 'opened';
}

interface Created {
  'asapp-api-id'?: string;
  'asapp-api-secret'?: string;
  'API Key'?: string;
  'Client Secret'?: string;
  secretFile?: string;
}
const created = (stdout: string) => JSON.parse(stdout) as Created;

describe('npm run credentials (local configuration file)', () => {
  let api: Created;
  let hook: { apiKey: string; clientSecret: string };

  it('creates an API pair per tenant and an AudioHook pair; npm start accepts them and no longer the development ones', async () => {
    const a = await cred(['create', 'api', '--tenant', 'acme', '--json']);
    expect(a.code, a.stderr).toBe(0);
    api = created(a.stdout);
    expect(api['asapp-api-id']).toMatch(/^api-/);
    expect(api['asapp-api-secret']).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const out = join(dir, 'audiohook-secret.json');
    const h = await cred(['create', 'audiohook', '--json', '--out', out]);
    expect(h.code, h.stderr).toBe(0);
    expect(created(h.stdout)).toMatchObject({ secretFile: out });
    expect(h.stdout).not.toMatch(/Client Secret/);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(readFileSync(out, 'utf8')) as Created;
    hook = { apiKey: saved['API Key']!, clientSecret: saved['Client Secret']! };
    // Base64 of 32 bytes, standard alphabet and padding: what Genesys's Client Secret field takes.
    expect(hook.clientSecret).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(hook.clientSecret, 'base64')).toHaveLength(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // A second --out to the same file is refused before anything changes.
    const again = await cred(['create', 'audiohook', '--out', out]);
    expect(again.code).toBe(2);

    const list = await cred(['list', '--json']);
    expect(list.code).toBe(0);
    const rows = list.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows).toEqual([
      expect.objectContaining({ kind: 'api', id: api['asapp-api-id'], tenant: 'acme', status: 'active' }),
      expect.objectContaining({ kind: 'audiohook', id: hook.apiKey, status: 'active' }),
    ]);
    expect(list.stdout).not.toContain(api['asapp-api-secret']);
    expect(list.stdout).not.toContain(hook.clientSecret);

    await restart();
    expect(await apiStatus(api['asapp-api-id']!, api['asapp-api-secret']!)).not.toBe(401);
    expect(await apiStatus(DEV_API_ID, DEV_API_SECRET)).toBe(401);
    expect(await audioHookOpens(hook.apiKey, hook.clientSecret)).toBe(true);
    expect(await audioHookOpens(hook.apiKey, Buffer.alloc(32, 7).toString('base64'))).toBe(false);
  }, 90_000);

  it('rotation keeps the old pairs working beside the new ones until they are revoked', async () => {
    const ra = await cred(['rotate', 'api', api['asapp-api-id']!, '--json']);
    expect(ra.code, ra.stderr).toBe(0);
    const newApi = created(ra.stdout);
    expect(newApi).toMatchObject({ tenant: 'acme' });
    const rh = await cred(['rotate', 'audiohook', hook.apiKey]);
    expect(rh.code, rh.stderr).toBe(0);
    expect(rh.stdout).toContain(`${hook.apiKey} stays valid until: npm run credentials -- revoke audiohook ${hook.apiKey}`);
    const newHook = {
      apiKey: /API Key: +(\S+)/.exec(rh.stdout)![1]!,
      clientSecret: /Client Secret: +(\S+)/.exec(rh.stdout)![1]!,
    };
    const human = await cred(['list']);
    expect(human.stdout).toMatch(new RegExp(`${hook.apiKey} .* rotated `));

    await restart();
    expect(await apiStatus(api['asapp-api-id']!, api['asapp-api-secret']!)).not.toBe(401);
    expect(await apiStatus(newApi['asapp-api-id']!, newApi['asapp-api-secret']!)).not.toBe(401);
    expect(await audioHookOpens(hook.apiKey, hook.clientSecret)).toBe(true);
    expect(await audioHookOpens(newHook.apiKey, newHook.clientSecret)).toBe(true);

    expect((await cred(['revoke', 'api', api['asapp-api-id']!])).code).toBe(0);
    expect((await cred(['revoke', 'audiohook', hook.apiKey, '--json'])).code).toBe(0);
    await restart();
    expect(await apiStatus(api['asapp-api-id']!, api['asapp-api-secret']!)).toBe(401);
    expect(await apiStatus(newApi['asapp-api-id']!, newApi['asapp-api-secret']!)).not.toBe(401);
    expect(await audioHookOpens(hook.apiKey, hook.clientSecret)).toBe(false);
    expect(await audioHookOpens(newHook.apiKey, newHook.clientSecret)).toBe(true);

    // The last active pair is not revoked by accident.
    const last = await cred(['revoke', 'audiohook', newHook.apiKey]);
    expect(last.code).toBe(1);
    expect(last.stderr).toContain('last active audiohook credential');
  }, 120_000);

  it('exit codes: 1 for an unknown id, 2 for bad usage, and --help', async () => {
    expect((await cred(['revoke', 'api', 'api-no-such'])).code).toBe(1);
    expect((await cred(['create', 'api'])).code).toBe(2);
    expect((await cred(['create', 'api', '--tenant', 'bad tenant!'])).code).toBe(1);
    expect((await cred(['frobnicate'])).code).toBe(2);
    expect((await cred(['list', '--secret', 'x'])).code).toBe(2);
    const help = await runCli('credentials-cli.ts', ['--help'], process.env);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('rotate api|audiohook ID');
  }, 60_000);
});
