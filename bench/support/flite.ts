import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import wavefile from 'wavefile';

/** Speech synthesized with flite (Debian package `flite`, installed by scripts/setup.sh), at 8 kHz. */

const FLITE_INSTALL = 'sudo apt-get install -y flite';

/** One utterance in one of flite's voices (`rms` male, `slt` female). */
export function synthesize(text: string, voice: string): Int16Array {
  const dir = mkdtempSync(path.join(tmpdir(), 'flite-'));
  try {
    const file = path.join(dir, 'say.wav');
    try {
      execFileSync('flite', ['-voice', voice, '-t', text, '-o', file], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (cause) {
      const missing = (cause as NodeJS.ErrnoException).code === 'ENOENT';
      throw new Error(
        missing ? `flite is not installed: run \`${FLITE_INSTALL}\` (or \`npm run setup\`)` : `flite failed on voice ${voice}`,
        {
          cause,
        },
      );
    }
    const wav = new wavefile.WaveFile(readFileSync(file));
    wav.toSampleRate(8000);
    wav.toBitDepth('16');
    return wav.getSamples(false, Int16Array) as unknown as Int16Array;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
