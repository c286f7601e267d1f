import { existsSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './config.ts';

/**
 * The artifacts `npm run build` writes into dist/ (scripts/build.ts), which the stack deploys as they
 * are: nothing is bundled a second way at synth time. `npx cdk synth|deploy` runs the build first
 * (bin/app.ts), so they are always current there.
 */
export const BUILD_DIR = path.join(REPO_ROOT, 'dist');

/** Folder of one built artifact, e.g. `artifactDir('lambdas', 'start-streaming')`; fails clearly when it was not built. */
export function artifactDir(...segments: string[]): string {
  const dir = path.join(BUILD_DIR, ...segments);
  if (!existsSync(dir)) {
    throw new Error(
      `${path.relative(REPO_ROOT, dir)} does not exist: run \`npm run build\` first (npx cdk synth and deploy run it themselves)`,
    );
  }
  return dir;
}
