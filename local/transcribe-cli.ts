import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import './quiet-logs.ts';
import { SUPPORTED_LANGUAGES, type RedactionOutput } from '#core/domain/transcription.ts';
import { loadGatewayConfig } from '#gateway/config.ts';
import { createRecognizer } from '#gateway/recognition/create-recognizer.ts';
import { loadCallAudio } from './simulator/wav-source.ts';
import { transcribeFile } from './transcribe-file.ts';

/**
 * `npm run transcribe -- FILE.wav [--language en-US] [--redaction redacted]`: one JSON utterance per
 * line (role, channel, start, end, text), with the engine chosen by RECOGNIZER (embedded by default).
 */
const USAGE = 'usage: npm run transcribe -- FILE.wav [--language en-US|es-US] [--redaction redacted|unredacted|redacted_and_unredacted]';
const REDACTIONS: RedactionOutput[] = ['redacted', 'unredacted', 'redacted_and_unredacted'];

try {
  const { values, positionals } = parseArgs({
    options: {
      language: { type: 'string', default: 'en-US' },
      redaction: { type: 'string', default: 'redacted' },
      help: { type: 'boolean' },
    },
    allowPositionals: true,
  });
  if (values.help || positionals.length !== 1) {
    console.log(USAGE);
    process.exit(values.help ? 0 : 2);
  }
  const file = positionals[0];
  if (!existsSync(file)) throw new Error(`no such file: ${file}`);
  const language = SUPPORTED_LANGUAGES.find((l) => l.toLowerCase() === values.language.toLowerCase());
  if (!language) throw new Error(`--language must be one of ${SUPPORTED_LANGUAGES.join(', ')}`);
  const redaction = values.redaction as RedactionOutput;
  if (!REDACTIONS.includes(redaction)) throw new Error(`--redaction must be one of ${REDACTIONS.join(', ')}`);

  const recognizer = await createRecognizer(loadGatewayConfig().RECOGNIZER);
  try {
    const utterances = await transcribeFile(loadCallAudio(file), { recognizer, language, redaction });
    for (const u of utterances) console.log(JSON.stringify(u));
  } finally {
    await recognizer.close();
  }
} catch (error) {
  console.error(`transcribe failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
