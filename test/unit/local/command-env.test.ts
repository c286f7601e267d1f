import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UsageError, isLocalUrl, loadEnvFile } from '#local/command-env.ts';

/** How the operator commands tell a local endpoint from AWS, and read a deployed function's settings. */
describe('operator command environment', () => {
  const dir = mkdtempSync(join(tmpdir(), 'command-env-'));
  const keys = ['CMD_ENV_A', 'CMD_ENV_B', 'CMD_ENV_KEPT'];
  afterEach(() => {
    for (const k of keys) delete process.env[k];
  });

  it('a queue on this machine is local (the SQS stand-in names its queues *.localhost); AWS is not', () => {
    expect(isLocalUrl('http://127.0.0.1:4566/000000000000/q')).toBe(true);
    expect(isLocalUrl('http://localhost:9324/queue/q')).toBe(true);
    expect(isLocalUrl('http://sqs.us-east-1.localhost:38941/000000000000/q-dlq')).toBe(true);
    expect(isLocalUrl('http://[::1]:9324/q')).toBe(true);
    expect(isLocalUrl('https://sqs.eu-west-1.amazonaws.com/123456789012/q-dlq')).toBe(false);
    expect(isLocalUrl('https://localhost.example.com/q')).toBe(false);
    expect(isLocalUrl('not a url')).toBe(false);
  });

  it('loads KEY=value lines or the JSON object aws lambda get-function-configuration prints; set variables win', () => {
    const json = join(dir, 'function.json');
    writeFileSync(json, JSON.stringify({ CMD_ENV_A: 'from-json', CMD_ENV_KEPT: 'file' }, null, 2));
    process.env.CMD_ENV_KEPT = 'shell';
    loadEnvFile(json);
    expect(process.env).toMatchObject({ CMD_ENV_A: 'from-json', CMD_ENV_KEPT: 'shell' });

    const lines = join(dir, 'plain.env');
    writeFileSync(lines, '# comment\nCMD_ENV_B=from-lines\nCMD_ENV_KEPT=file\n');
    loadEnvFile(lines);
    expect(process.env).toMatchObject({ CMD_ENV_B: 'from-lines', CMD_ENV_KEPT: 'shell' });
  });

  it('refuses what it cannot use, as a usage error naming the file', () => {
    const write = (name: string, text: string) => {
      const file = join(dir, name);
      writeFileSync(file, text);
      return file;
    };
    expect(() => loadEnvFile(join(dir, 'missing.json'))).toThrow(UsageError);
    expect(() => loadEnvFile(write('bad.json', '{"CMD_ENV_A": '))).toThrow(/not valid JSON/);
    expect(() => loadEnvFile(write('number.json', '{"CMD_ENV_B": "x", "CMD_ENV_A": 1}'))).toThrow(/CMD_ENV_A must be a string/);
    // Nothing of a refused file is applied.
    expect(process.env.CMD_ENV_B).toBeUndefined();
    expect(() => loadEnvFile(write('list.json', '[]'))).toThrow(UsageError);
    expect(process.env.CMD_ENV_A).toBeUndefined();
  });

  it.sequential('cleans up', () => rmSync(dir, { recursive: true, force: true }));
});
