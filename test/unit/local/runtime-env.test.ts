import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findRuntimeEnv, removeRuntimeEnv, runtimeEnvFile, writeRuntimeEnv } from '#local/runtime-env.ts';

/** `.local/runtime-<pid>.env`: never a credential, owner-only, one per instance, stale ones ignored. */

const ENV = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIAREALKEY',
  AWS_SECRET_ACCESS_KEY: 'real-secret',
  AWS_SESSION_TOKEN: 'token',
  AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:1234',
  EXPORT_BUCKET: 'feed',
  MESSAGES_TABLE: 'm',
  CONVERSATIONS_TABLE: 'c',
};

describe('runtime env file', () => {
  it('holds no credentials, is readable by its owner only, and says when the stand-ins run', () => {
    const dir = mkdtempSync(join(tmpdir(), 'runtime-env-'));
    const file = writeRuntimeEnv(ENV, { standIns: true, file: runtimeEnvFile(process.pid, dir) });
    const text = readFileSync(file, 'utf8');
    expect(text).not.toMatch(/AKIAREALKEY|real-secret|token|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN/);
    expect(text).toContain('EXPORT_BUCKET=feed');
    expect(text).toContain('LOCAL_STAND_INS=true');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    removeRuntimeEnv(file);
    expect(existsSync(file)).toBe(false);
  });

  it('is one file per instance; a reader picks a live one and removes those of dead processes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'runtime-env-'));
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    const stale = runtimeEnvFile(Number(dead), dir);
    writeFileSync(stale, 'EXPORT_BUCKET=old\n');
    const live = writeRuntimeEnv(ENV, { standIns: false, file: runtimeEnvFile(process.pid, dir) });
    expect(stale).not.toBe(live);
    expect(findRuntimeEnv(dir)).toBe(live);
    expect(existsSync(stale)).toBe(false);
    removeRuntimeEnv(live);
    expect(findRuntimeEnv(dir)).toBeUndefined();
  });
});
