import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { listen } from '#core/http/server.ts';
import { checkLocalConfig } from '#local/config-check.ts';

/** `npm start` checks every part's settings before it starts anything (each bad value seen in a review). */

const BASE = { API_ID: 'id', API_SECRET: 'secret', CONVERSATIONS_TABLE: 'c', MESSAGES_TABLE: 'm', EXPORT_BUCKET: 'feed-bucket' };

describe('checkLocalConfig', () => {
  it.each([
    [
      {
        WEBHOOK_URL: 'http://hooks.example/x',
        WEBHOOK_AUTH_MODE: 'secret-token',
        WEBHOOK_SECRET_TOKEN_NAME: 'X-T',
        WEBHOOK_SECRET_TOKEN_VALUE: 'v',
      },
      /WEBHOOK_URL must use https/,
    ],
    [
      { WEBHOOK_URL: 'https://hooks.example/x', WEBHOOK_AUTH_MODE: 'bogus' },
      /WEBHOOK_AUTH_MODE: unknown mode "bogus" \(expected none, custom-ca/,
    ],
    [{ WEBHOOK_AUTH_MODE: 'bogus' }, /WEBHOOK_AUTH_MODE needs WEBHOOK_URL/],
    [{ WEBHOOK_URL: 'https://hooks.example/x', WEBHOOK_TIMEOUT_MS: 'abc' }, /WEBHOOK_TIMEOUT_MS: .*number/],
    [{ API_PORT: '99999' }, /API_PORT: must be 0–65535/],
    [{ WEBHOOK_RECEIVER_PORT: 'abc' }, /WEBHOOK_RECEIVER_PORT: must be a port number/],
    [{ GATEWAY_PORT: '70000' }, /GATEWAY_PORT: .*65535/],
    [{ REDACTION_MODE: 'sometimes' }, /REDACTION_MODE: .*"default"\|"always"\|"off"/],
    [{ RECOGNIZER: 'magic' }, /RECOGNIZER: .*"embedded"\|"transcribe"\|"none"/],
    [{ IDLE_TIMEOUT_MS: '-5' }, /IDLE_TIMEOUT_MS/],
    [{ WEBHOOK_MAX_CONCURRENT_BATCHES: '1' }, /WEBHOOK_MAX_CONCURRENT_BATCHES: must be a whole number 2–1000/],
    [{ WEBHOOK_MAX_CONCURRENT_BATCHES: 'lots' }, /WEBHOOK_MAX_CONCURRENT_BATCHES: must be a whole number 2–1000/],
  ])('refuses %j, naming the variable and what it allows', async (env, message) => {
    await expect(checkLocalConfig({ ...BASE, ...env })).rejects.toThrow(message);
  });

  it('names every variable at fault in one message', async () => {
    const error = await checkLocalConfig({ ...BASE, API_PORT: '99999', REDACTION_MODE: 'sometimes' }).catch((e: Error) => e);
    expect(String(error)).toMatch(/API_PORT[\s\S]*REDACTION_MODE/);
  });

  it('accepts the defaults', async () => {
    expect(await checkLocalConfig({ ...BASE })).toEqual({
      API_PORT: 3000,
      WEBHOOK_RECEIVER_PORT: 3001,
      LOCAL_HOST: '127.0.0.1',
      WEBHOOK_MAX_CONCURRENT_BATCHES: 5,
    });
  });

  it('never echoes a secret value given in the wrong place', async () => {
    const error = await checkLocalConfig({ ...BASE, REDACTION_MODE: 'hunter2-secret' }).catch((e: Error) => e);
    expect(String(error)).not.toContain('hunter2');
  });
});

describe('a port in use', () => {
  it('fails with a message naming the variable to change', async () => {
    const first = createServer();
    const { port } = await listen(first, 0, '127.0.0.1');
    await expect(listen(createServer(), port, '127.0.0.1', 'API_PORT')).rejects.toThrow(
      new RegExp(`API_PORT=${port}: 127.0.0.1:${port} is already in use \\(EADDRINUSE\\)`),
    );
    first.close();
  });
});

describe('npm start with a bad setting', () => {
  it('exits non-zero at once with one message naming the variable, before starting anything', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'local/main.ts'], {
      env: {
        ...process.env,
        WEBHOOK_URL: 'https://hooks.example/x',
        WEBHOOK_AUTH_MODE: 'bogus',
        API_PORT: '0',
        GATEWAY_PORT: '0',
        CONTROL_PORT: '0',
      },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^npm start failed: invalid webhook configuration: WEBHOOK_AUTH_MODE: unknown mode "bogus"/);
    expect(run.stdout).not.toContain('running locally');
  });
});
