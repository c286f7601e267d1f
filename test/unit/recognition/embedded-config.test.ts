import { describe, expect, it } from 'vitest';
import { decoderArguments, decoderPathsFromEnv } from '#gateway/recognition/embedded/decoder-config.ts';
import { embeddedConfigFromEnv } from '#gateway/recognition/embedded/embedded-config.ts';
import { phraseGrammar } from '#gateway/recognition/embedded/phrase-grammar.ts';
import { wordErrors } from '#bench/support/word-error-rate.ts';
import { normalizeWords } from '#gateway/recognition/embedded/engine-words.ts';

describe('embedded engine configuration', () => {
  it('reads the environment, with the cores as the default pool size', () => {
    const config = embeddedConfigFromEnv({
      EMBEDDED_DECODERS: '3',
      EMBEDDED_MIN_SILENCE_MS: '350',
      EMBEDDED_PHRASES: 'yes | no ',
      POCKETSPHINX_LM: '/models/x.lm.bin',
    });
    expect(config.decoders).toBe(3);
    expect(config.maxPendingSeconds).toBe(900);
    expect(config.segmenter).toEqual({ minSilenceMs: 350 });
    expect(config.phrases).toEqual(['yes', 'no']);
    expect(config.paths.lm).toBe('/models/x.lm.bin');
    expect(config.paths.hmm).toMatch(/soundswallower\/model\/en-us$/);
    expect(embeddedConfigFromEnv({}).decoders).toBeGreaterThanOrEqual(1);
  });

  it('names the variable when a value is bad', () => {
    expect(() => embeddedConfigFromEnv({ EMBEDDED_DECODERS: 'two' })).toThrow(/EMBEDDED_DECODERS/);
    expect(() => embeddedConfigFromEnv({ EMBEDDED_WATCHDOG_MS: '-1' })).toThrow(/EMBEDDED_WATCHDOG_MS/);
  });

  it('passes the 8 kHz front end explicitly and lets extra arguments override', () => {
    const paths = { ...decoderPathsFromEnv({}), extraArguments: ['-beam', '1e-60', '-fwdflat', 'yes'] };
    const args = decoderArguments(paths);
    const value = (name: string) => args[args.indexOf(name) + 1];
    expect(value('-samprate')).toBe('8000');
    expect(value('-nfft')).toBe('256');
    expect(value('-logfn')).toBe('/dev/null');
    expect(value('-fwdflat')).toBe('yes');
    expect(value('-beam')).toBe('1e-60');
    expect(args.filter((a) => a === '-fwdflat')).toHaveLength(1);
    expect(decoderArguments(paths, { kind: 'jsgf', grammar: '' })).not.toContain('-lm');
  });
});

describe('phraseGrammar', () => {
  it('builds one JSGF alternative per distinct normalized phrase', () => {
    expect(phraseGrammar(['Yes, please.', 'no', 'yes please'])).toBe(
      '#JSGF V1.0;\ngrammar phrases;\npublic <phrase> = yes please | no ;\n',
    );
  });

  it('rejects digits and empty lists', () => {
    expect(() => phraseGrammar(['press 1'])).toThrow(/spell numbers/);
    expect(() => phraseGrammar(['  ', '!'])).toThrow(/empty/);
  });
});

describe('wordErrors', () => {
  it('normalizes case and punctuation but keeps apostrophes', () => {
    expect(normalizeWords("Hi, I'd like a check-up.")).toEqual(['hi', "i'd", 'like', 'a', 'check', 'up']);
  });

  it('counts substitutions, deletions and insertions at the word level', () => {
    expect(wordErrors('a b c d', 'a b c d').errors).toBe(0);
    expect(wordErrors('a b c d', 'a x c d')).toEqual({ errors: 1, referenceWords: 4, wer: 0.25 });
    expect(wordErrors('a b c d', 'a c d').errors).toBe(1);
    expect(wordErrors('a b c d', 'a b b c d e').errors).toBe(2);
    expect(wordErrors('', '').wer).toBe(0);
    expect(wordErrors('', 'x').wer).toBe(1);
  });
});
