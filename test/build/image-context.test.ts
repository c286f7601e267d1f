import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runBuild } from '#scripts/build.ts';
import { GATEWAY_DOCKERFILE } from '#scripts/build/image.ts';

/**
 * `dist/image/`, the context the gateway image is built from (by CodeBuild at deploy time, or by
 * `docker build dist/image`): the Dockerfile and a byte-for-byte copy of the built gateway, nothing else.
 */
let outdir: string;
beforeAll(async () => {
  outdir = mkdtempSync(path.join(tmpdir(), 'build-image-'));
  await runBuild({ outdir, steps: ['gateway', 'image'] });
}, 120_000);
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const filesUnder = (dir: string) =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();

describe('npm run build -- gateway image', () => {
  it('holds exactly the Dockerfile and the built gateway', () => {
    const image = path.join(outdir, 'image');
    expect(readdirSync(image).sort()).toEqual(['Dockerfile', 'gateway']);
    expect(readFileSync(path.join(image, 'Dockerfile'), 'utf8')).toBe(readFileSync(path.join(REPO_ROOT, GATEWAY_DOCKERFILE), 'utf8'));
    const gateway = path.join(outdir, 'gateway');
    const files = filesUnder(gateway);
    expect(files).toContain('main.mjs');
    expect(filesUnder(path.join(image, 'gateway'))).toEqual(files);
    for (const f of files) expect(readFileSync(path.join(image, 'gateway', f)).equals(readFileSync(path.join(gateway, f))), f).toBe(true);
  });

  it('refuses to write an image context without a built gateway', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'build-image-alone-'));
    try {
      await expect(runBuild({ outdir: empty, steps: ['image'] })).rejects.toThrow(/run the gateway step first/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
