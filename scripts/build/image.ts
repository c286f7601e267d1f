import { cp, copyFile, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { BuildStep } from './step.ts';

/** The gateway image's Dockerfile, in the sources; the image step copies it beside the built gateway. */
export const GATEWAY_DOCKERFILE = 'fargate-gateway/Dockerfile';

/**
 * `dist/image/`: the gateway image's whole build context — `Dockerfile` and `gateway/`, a copy of what
 * the gateway step wrote into `dist/gateway/`. Building the image only copies that folder onto a Node
 * base image: no npm, no esbuild, no compiler, and nothing that depends on the CPU of the machine that
 * builds it. `cdk deploy` uploads this folder and CodeBuild builds the image in the account
 * (lib/gateway-image.ts), so the deployer needs no Docker; `docker build dist/image` works as well.
 */
export const imageStep: BuildStep = {
  name: 'image',
  description: 'gateway image build context: dist/image/ (Dockerfile + the built gateway)',
  async run({ root, outdir }) {
    const gateway = path.join(outdir, 'gateway');
    if (!existsSync(path.join(gateway, 'main.mjs'))) {
      throw new Error(`${gateway} is not built: run the gateway step first (npm run build -- gateway image)`);
    }
    const dir = path.join(outdir, 'image');
    await cp(gateway, path.join(dir, 'gateway'), { recursive: true });
    await copyFile(path.join(root, GATEWAY_DOCKERFILE), path.join(dir, 'Dockerfile'));
    return (await readdir(dir, { recursive: true, withFileTypes: true }))
      .filter((e) => e.isFile())
      .map((e) => path.join(e.parentPath, e.name));
  },
};
