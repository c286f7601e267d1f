/**
 * One part of `npm run build`: writes its artifact under `outdir` (each step owns one sub-folder,
 * named after the step) and returns the files it wrote.
 */
export interface BuildStep {
  /** Also the sub-folder of `outdir` it writes, and its name on the command line. */
  name: string;
  description: string;
  run(context: { root: string; outdir: string }): Promise<string[]>;
}
