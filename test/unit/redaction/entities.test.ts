import { describe, expect, it } from 'vitest';
import type { EngineEntity, EngineWord } from '#core/text/engine-output.ts';
import { DEFAULT_ENTITY_TYPES, entitySpans, maskEntities } from '#core/redaction/entities.ts';

/** Amazon Transcribe-like items for formatted text: words 100 ms apart, punctuation attached. */
function items(text: string): EngineWord[] {
  const out: EngineWord[] = [];
  let t = 0;
  for (const token of text.split(' ')) {
    const m = /^(.*?)([.,?!]?)$/.exec(token)!;
    out.push({ content: m[1], kind: 'word', startMs: t, endMs: t + 90 });
    if (m[2]) out.push({ content: m[2], kind: 'punctuation', startMs: t + 90, endMs: t + 90 });
    t += 100;
  }
  return out;
}

describe('engine entities', () => {
  it('masks the default types and leaves NAME and ADDRESS', () => {
    const text = 'I am Jane Roe at 1 Main Street, card 4556 7375 8689 9855.';
    const entities: EngineEntity[] = [
      { type: 'NAME', content: 'Jane Roe' },
      { type: 'ADDRESS', content: '1 Main Street' },
      { type: 'CREDIT_DEBIT_NUMBER', content: '4556 7375 8689 9855' },
    ];
    const result = maskEntities(text, items(text), entities);
    expect(result.text).toBe('I am Jane Roe at 1 Main Street, card #### #### #### ####.');
    expect(result.spans).toEqual([{ rule: 'pii:CREDIT_DEBIT_NUMBER', start: 37, end: 56 }]);
  });

  it.each(DEFAULT_ENTITY_TYPES.map((t) => [t]))('masks %s by default', (type) => {
    const text = 'It is secret thing here.';
    expect(maskEntities(text, [], [{ type, content: 'secret thing' }]).text).toBe('It is ###### ##### here.');
  });

  it('masks NAME when asked to', () => {
    const text = 'I am Jane Roe.';
    expect(maskEntities(text, [], [{ type: 'NAME', content: 'Jane Roe' }], ['NAME']).text).toBe('I am #### ###.');
  });

  it('masks every occurrence of the content, whatever its case', () => {
    const text = 'PIN 4821, I repeat 4821, Blue and blue.';
    const result = maskEntities(
      text,
      [],
      [
        { type: 'PIN', content: '4821' },
        { type: 'PIN', content: 'blue' },
      ],
    );
    expect(result.text).toBe('PIN ####, I repeat ####, #### and ####.');
  });

  it('finds the entity by its time when the text writes it differently', () => {
    const text = 'The expiry is 04/27, thanks.';
    const words = items(text);
    // "04/27" is the fourth word: 300–390 ms.
    const entity: EngineEntity = { type: 'CREDIT_DEBIT_EXPIRY', content: 'April 27', startMs: 300, endMs: 390 };
    expect(maskEntities(text, words, [entity]).text).toBe('The expiry is #####, thanks.');
  });

  it('does not mask words that only touch the entity in time', () => {
    const text = 'Code 4821 okay';
    const words = items(text);
    expect(entitySpans(text, words, [{ type: 'PIN', content: 'zzz', startMs: 100, endMs: 190 }])).toEqual([
      { rule: 'pii:PIN', start: 5, end: 9 },
    ]);
  });

  it('ignores empty contents and entities nowhere in the text', () => {
    expect(
      maskEntities(
        'Hello there.',
        [],
        [
          { type: 'PIN', content: ' ' },
          { type: 'PIN', content: '9999' },
        ],
      ),
    ).toEqual({
      text: 'Hello there.',
      spans: [],
    });
  });
});
