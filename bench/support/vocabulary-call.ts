import type { Role } from '#core/domain/participant.ts';
import { DEFAULT_REDACTION, renderUtteranceText } from '#core/text/pipeline.ts';
import type { VocabularyPhrase } from '#core/vocabulary/custom-vocabulary.ts';
import { NO_REWRITE, vocabularyRewrite, type VocabularyRewrite } from '#core/vocabulary/rewrite.ts';
import { decodeMulaw, encodeMulaw } from '#gateway/audio/mulaw.ts';
import { normalizeWords } from '#gateway/recognition/embedded/engine-words.ts';
import type { RecognitionResult } from '#gateway/recognition/recognizer.ts';
import { synthesize } from './flite.ts';
import { wordErrors } from './word-error-rate.ts';

/**
 * A support call full of product names, synthesized with flite (the customer in the `rms` voice, the
 * agent in `slt`), and the custom vocabulary a tenant would give for them: what bench/vocabulary and
 * its test measure. The names are invented, so the engine's dictionary has none of them; flite says each
 * the way its letter-to-sound rules read it (the acronym as people say it), and each `soundsLike` spells
 * that in dictionary words.
 */

export const PRODUCT_VOCABULARY: readonly VocabularyPhrase[] = [
  { phrase: 'Zentrio', soundsLike: ['zen tree oh'] },
  { phrase: 'Payvora Plus', soundsLike: ['pay vora plus'] },
  { phrase: 'Klarvex', soundsLike: ['clar vex'] },
  { phrase: 'Fintrix Pro', soundsLike: ['fin tricks pro'] },
  { phrase: 'Lumora', soundsLike: ['loo mora'] },
  { phrase: 'IEEE', soundsLike: ['I triple E'] },
  { phrase: 'Omnilink', soundsLike: ['omni link'] },
  { phrase: 'Tellamo', soundsLike: ['tell a mo'] },
  { phrase: 'Brivana', soundsLike: ['brie vana'] },
];

/** How flite is told to say a phrase when its letters would not read as people say it. */
const SAID_AS: Record<string, string> = { IEEE: 'I triple E' };

const TURNS: ReadonlyArray<{ role: Role; text: string }> = [
  { role: 'agent', text: 'Thank you for calling Zentrio support, my name is Anna, how can I help you today?' },
  { role: 'customer', text: 'Hi, I was charged twice for my Zentrio subscription this month.' },
  { role: 'agent', text: 'I am sorry about that. Is the subscription paid with Payvora Plus or with a card?' },
  { role: 'customer', text: 'It is paid with Payvora Plus, and I also have a Klarvex account linked to it.' },
  { role: 'agent', text: 'I see the Klarvex account here. The second charge came from Fintrix Pro.' },
  { role: 'customer', text: 'I never signed up for Fintrix Pro, I only use Lumora for my budget.' },
  { role: 'agent', text: 'Lumora and Fintrix Pro share the same billing partner, so I will reverse the Fintrix Pro charge now.' },
  { role: 'customer', text: 'Great. Can you also check whether my IEEE membership discount is applied?' },
  { role: 'agent', text: 'Yes, the IEEE discount is applied to your Zentrio plan.' },
  { role: 'customer', text: 'Good. I would also like to move my Omnilink phone plan to Payvora Plus.' },
  { role: 'agent', text: 'Done. Omnilink will now bill through Payvora Plus every month.' },
  { role: 'customer', text: 'Does Tellamo still send me a paper statement?' },
  { role: 'agent', text: 'Tellamo statements are electronic now, you will find them in your Klarvex inbox.' },
  { role: 'customer', text: 'Thank you, and please close my old Brivana account too.' },
  { role: 'agent', text: 'The Brivana account is closed. Is there anything else I can do for you?' },
  { role: 'customer', text: 'No, that is all, thank you very much.' },
];

const VOICES: Record<Role, string> = { customer: 'rms', agent: 'slt' };
const LEAD_IN_SAMPLES = 4_800;
const GAP_SAMPLES = 5_600;
/** A faint line noise (about −56 dBFS), so that silence is not digital zero. */
const NOISE_AMPLITUDE = 50;

export interface VocabularyCall {
  tracks: Map<Role, Int16Array>;
  turns: ReadonlyArray<{ role: Role; text: string }>;
  durationMs: number;
}

/**
 * Synthesizes the call (its first `turns` turns, all by default): one track per party, turns one after
 * the other, 8 kHz through µ-law.
 */
export function vocabularyCall(turns = TURNS.length): VocabularyCall {
  const said = TURNS.slice(0, turns);
  const spoken = said.map((turn) => synthesize(sayable(turn.text), VOICES[turn.role]));
  const length = LEAD_IN_SAMPLES + spoken.reduce((sum, pcm) => sum + pcm.length + GAP_SAMPLES, 0);
  const tracks = new Map<Role, Int16Array>();
  let seed = 1;
  for (const role of ['customer', 'agent'] as const) {
    const track = new Int16Array(length);
    for (let i = 0; i < length; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      track[i] = Math.round(((seed / 0x7fffffff) * 2 - 1) * NOISE_AMPLITUDE);
    }
    tracks.set(role, track);
  }
  let at = LEAD_IN_SAMPLES;
  said.forEach((turn, i) => {
    const track = tracks.get(turn.role)!;
    spoken[i].forEach((sample, k) => (track[at + k] = Math.max(-32768, Math.min(32767, track[at + k] + sample))));
    at += spoken[i].length + GAP_SAMPLES;
  });
  for (const [role, track] of tracks) tracks.set(role, decodeMulaw(encodeMulaw(track)));
  return { tracks, turns: said, durationMs: (length / 8000) * 1000 };
}

function sayable(text: string): string {
  return Object.entries(SAID_AS).reduce((said, [phrase, as]) => said.replaceAll(phrase, as), text);
}

/** The text a caller sees: the engine's words rendered as the gateway renders them. */
function rendered(result: RecognitionResult, vocabulary: VocabularyRewrite): string {
  return renderUtteranceText(result, { redaction: DEFAULT_REDACTION, wantTokens: false, vocabulary }).rawText;
}

export interface CallScore {
  /** Every word of the call. */
  referenceWords: number;
  wordErrors: number;
  wer: number;
  /** Occurrences of vocabulary phrases said, missed (not in the transcript) and inserted (never said). */
  termOccurrences: number;
  termsMissed: number;
  termsInserted: number;
  /** (missed + inserted) / occurrences: the word error rate of the vocabulary terms. */
  termErrorRate: number;
}

/** Scores each party's transcript (its texts in order) against what that party said. */
export function scoreCall(
  call: Pick<VocabularyCall, 'turns'>,
  transcripts: Map<Role, string>,
  vocabulary: readonly VocabularyPhrase[] = PRODUCT_VOCABULARY,
): CallScore {
  const score: CallScore = {
    referenceWords: 0,
    wordErrors: 0,
    wer: 0,
    termOccurrences: 0,
    termsMissed: 0,
    termsInserted: 0,
    termErrorRate: 0,
  };
  for (const role of ['customer', 'agent'] as const) {
    const reference = call.turns
      .filter((t) => t.role === role)
      .map((t) => t.text)
      .join(' ');
    const hypothesis = transcripts.get(role) ?? '';
    const words = wordErrors(reference, hypothesis);
    score.referenceWords += words.referenceWords;
    score.wordErrors += words.errors;
    for (const { phrase } of vocabulary) {
      const said = occurrences(normalizeWords(reference), normalizeWords(phrase));
      const written = occurrences(normalizeWords(hypothesis), normalizeWords(phrase));
      score.termOccurrences += said;
      score.termsMissed += Math.max(0, said - written);
      score.termsInserted += Math.max(0, written - said);
    }
  }
  score.wer = score.referenceWords ? score.wordErrors / score.referenceWords : 0;
  score.termErrorRate = score.termOccurrences ? (score.termsMissed + score.termsInserted) / score.termOccurrences : 0;
  return score;
}

function occurrences(words: string[], phrase: string[]): number {
  let count = 0;
  for (let i = 0; i + phrase.length <= words.length;) {
    if (phrase.every((w, k) => words[i + k] === w)) {
      count++;
      i += phrase.length;
    } else i++;
  }
  return count;
}

/**
 * Whether the rewrite pass changed anything but its matches: the text rendered with the vocabulary must
 * be what is rendered without it once every phrase in the one and every spoken form in the other is set
 * aside (a phrase replaces a spoken form, and nothing else moves). A phrase the engine wrote itself is
 * read, for the rendering without, as the words of its first spoken form.
 */
export function changedOutsideVocabulary(engineText: string, vocabulary: readonly VocabularyPhrase[]): boolean {
  const spoken = new Map(vocabulary.filter((v) => v.soundsLike.length > 0).map((v) => [v.phrase, v.soundsLike[0].toLowerCase()]));
  const phrases = [...spoken.keys()].sort((a, b) => b.length - a.length).map(escape);
  const forms = vocabulary
    .flatMap((v) => v.soundsLike)
    .sort((a, b) => b.length - a.length)
    .map((s) => s.split(' ').map(escape).join('\\s+'));
  const words = (alternatives: string[], flags: string) =>
    new RegExp(`(?<![\\p{L}\\p{N}'])(?:${alternatives.join('|')})(?![\\p{L}\\p{N}'])`, flags);
  const result = (text: string): RecognitionResult => ({ role: 'customer', text, startMs: 0, endMs: 0 });
  const withIt = rendered(result(engineText), vocabularyRewrite(vocabulary));
  const without = rendered(result(engineText.replace(words(phrases, 'gu'), (phrase) => spoken.get(phrase)!)), NO_REWRITE);
  if (withIt === without) return false;
  return withIt.replace(words(phrases, 'gu'), '\u0000') !== without.replace(words(forms, 'giu'), '\u0000');
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Each party's rendered texts, in order, joined. */
export function transcriptsOf(results: readonly RecognitionResult[], vocabulary: VocabularyRewrite): Map<Role, string> {
  const transcripts = new Map<Role, string>();
  for (const role of ['customer', 'agent'] as const) {
    transcripts.set(
      role,
      results
        .filter((r) => r.role === role)
        .sort((a, b) => a.startMs - b.startMs)
        .map((r) => rendered(r, vocabulary))
        .join(' '),
    );
  }
  return transcripts;
}
