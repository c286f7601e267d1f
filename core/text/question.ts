/*
 * Whether an unpunctuated utterance is a question, from its first words. Engines without punctuation
 * give no prosody to go on, so this errs towards a full stop: a wrong "?" reads worse than a missing one.
 */

const INTERROGATIVES = new Set(['what', 'when', 'where', 'who', 'whom', 'whose', 'which', 'why', 'how']);

const AUXILIARIES = new Set([
  'can',
  'could',
  'would',
  'will',
  'shall',
  'should',
  'may',
  'might',
  'is',
  'are',
  'am',
  'was',
  'were',
  'do',
  'does',
  'did',
  'have',
  'has',
  'had',
  "can't",
  "won't",
  "don't",
  "doesn't",
  "didn't",
  "isn't",
  "aren't",
  "wasn't",
  "weren't",
  "wouldn't",
  "couldn't",
  "shouldn't",
  "haven't",
  "hasn't",
]);

const SUBJECTS = new Set([
  'i',
  'you',
  'we',
  'they',
  'he',
  'she',
  'it',
  'that',
  'this',
  'there',
  'these',
  'those',
  'someone',
  'somebody',
  'anyone',
  'anybody',
  'everyone',
  'everybody',
  'everything',
  'anything',
  'something',
  "y'all",
  "that's",
  "there's",
]);

const DETERMINERS = new Set(['the', 'your', 'my', 'our', 'his', 'her', 'their', 'its', 'a', 'an', 'any', 'all', 'some']);

/** "have a nice day", "do the math": imperatives that look like questions before a noun phrase. */
const IMPERATIVE_AUXILIARIES = new Set(['have', 'has', 'had', 'do']);

/** Openers that do not change what kind of sentence follows ("okay so what is …"). */
const LEAD_INS = new Set([
  'so',
  'and',
  'but',
  'okay',
  'ok',
  'um',
  'uh',
  'oh',
  'well',
  'alright',
  'sorry',
  'hi',
  'hello',
  'hey',
  'yeah',
  'yes',
  'no',
  'great',
  'perfect',
  'right',
  'now',
  'then',
]);

export function isQuestion(words: readonly string[]): boolean {
  let i = 0;
  while (i < words.length - 1 && LEAD_INS.has(words[i])) i++;
  const first = words[i];
  const second = words[i + 1];
  if (first === undefined) return false;
  if (INTERROGATIVES.has(first)) {
    // "when i called …", "what you need is …" open a statement; "what a day" is an exclamation.
    if (second === undefined) return true;
    if (second === 'a' || second === 'an') return false;
    return !SUBJECTS.has(second);
  }
  if (AUXILIARIES.has(first) && second !== undefined) {
    if (SUBJECTS.has(second)) return true;
    return DETERMINERS.has(second) && !IMPERATIVE_AUXILIARIES.has(first);
  }
  return false;
}
