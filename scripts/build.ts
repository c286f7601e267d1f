import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { consoleStep } from './build/console.ts';
import { gatewayStep } from './build/gateway.ts';
import { imageStep } from './build/image.ts';
import { lambdasStep } from './build/lambdas.ts';
import type { BuildStep } from './build/step.ts';

/**
 * `npm run build [-- STEP…] [--outdir DIR]`: every deployable artifact, from the sources, into
 * `dist/` (or DIR). The gateway image (built from `dist/image/`) and the CDK app use these same
 * artifacts; nothing is bundled another way. Without STEP names every step runs, in order (the image
 * step copies the gateway step's output, so it comes after it).
 *
 * To add an artifact: write a BuildStep in scripts/build/ and list it here.
 */
export const STEPS: readonly BuildStep[] = [gatewayStep, imageStep, lambdasStep, consoleStep];

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export async function runBuild(
  options: { outdir?: string; steps?: string[]; log?: (line: string) => void } = {},
): Promise<Record<string, string[]>> {
  const outdir = path.resolve(options.outdir ?? path.join(REPO_ROOT, 'dist'));
  const log = options.log ?? (() => {});
  const unknown = (options.steps ?? []).filter((n) => !STEPS.some((s) => s.name === n));
  if (unknown.length > 0) throw new Error(`unknown build step(s): ${unknown.join(', ')} (steps: ${STEPS.map((s) => s.name).join(', ')})`);
  const selected = options.steps?.length ? STEPS.filter((s) => options.steps!.includes(s.name)) : STEPS;
  const written: Record<string, string[]> = {};
  for (const step of selected) {
    const started = performance.now();
    // Each step owns its folder: a rebuild never leaves files of an older build behind.
    await rm(path.join(outdir, step.name), { recursive: true, force: true });
    written[step.name] = await step.run({ root: REPO_ROOT, outdir });
    let bytes = 0;
    for (const f of written[step.name]) bytes += (await stat(f)).size;
    log(
      `${step.name.padEnd(10)} ${String(written[step.name].length).padStart(3)} files ${(bytes / 1024).toFixed(0).padStart(6)} KiB  ${Math.round(performance.now() - started)} ms  ${path.relative(process.cwd(), path.join(outdir, step.name)) || '.'}`,
    );
  }
  return written;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { outdir: { type: 'string' }, quiet: { type: 'boolean' }, help: { type: 'boolean' } },
  });
  if (values.help) {
    console.log(
      `usage: npm run build [-- STEP…] [--outdir DIR] [--quiet]\n\n${STEPS.map((s) => `  ${s.name.padEnd(10)} ${s.description}`).join('\n')}`,
    );
  } else {
    try {
      await runBuild({ outdir: values.outdir, steps: positionals, log: values.quiet ? undefined : (line) => console.error(line) });
    } catch (error) {
      console.error(`build failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    }
  }
}
