import type { Role } from '../domain/participant.ts';
import type { RedactionOutput } from '../domain/transcription.ts';
import type { Utterance } from '../domain/utterance.ts';
import { seededRandom } from './seeded-random.ts';
import { DEFAULT_TENANT } from '#core/contract/tenant.ts';

/**
 * The utterances of a made-up contact-centre call, timed as the gateway would produce them, for load
 * tests of a webhook target (`npm run webhook-load`) and for tests that need realistic queue traffic.
 *
 * Timing model: speakers take turns of one to three utterances; a call averages `utterancesPerMinute`
 * finals (ASAPP sizes targets at ~10 per minute per live call). Each final is ready a short
 * end-pointing delay after its speech ends. At a turn change the next speaker often answers at once
 * with a short acknowledgement while the previous speaker's last final is still being end-pointed, so
 * two or three finals arrive within a few hundred milliseconds: the bursts a target must absorb.
 * Deterministic for a given seed.
 */

export interface SyntheticCallOptions {
  conversationId: string;
  durationMs: number;
  utterancesPerMinute?: number;
  seed?: number;
  redactionOutput?: RedactionOutput;
  /** Wall-clock start of the call (epoch ms), for the timestamps. */
  startedAt?: number;
}

export interface TimedUtterance {
  /** Milliseconds from the start of the call at which the final is ready to be sent. */
  atMs: number;
  utterance: Utterance;
}

const AGENT_LINES = [
  'Thank you for calling, my name is Sarah, how can I help you today?',
  'I can help you with that.',
  'Could you please confirm your date of birth?',
  'Let me pull up your account, one moment please.',
  'I see the payment of $120.50 posted on March 3rd.',
  'Is there anything else I can help you with?',
  'I have updated the address on file.',
  'For security, can you verify the last four digits of your card?',
  'The refund should arrive in five to seven business days.',
  'I am transferring you to our billing team now.',
];
const CUSTOMER_LINES = [
  'Hi, I would like to check the balance on my savings account.',
  'Yes, my account number is ##########.',
  'I was charged twice for the same order.',
  'It was born on the 4th of July 1985.',
  'Can you tell me when my card will arrive?',
  'The last four are ####.',
  'I moved last month and need to change my address.',
  'No, that was everything, thank you.',
  'My email is jane.doe@example.com.',
  'I have been waiting for the refund for two weeks.',
];
const ACKNOWLEDGEMENTS = ['Okay.', 'Sure.', 'Yes.', 'Right.', 'Mm-hmm.', 'Thank you.'];

/** A ULID-shaped id that sorts by time (Crockford base32: 10 characters of time, 16 of sequence). */
function messageId(timeMs: number, seq: number, salt: number): string {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  let time = '';
  for (let t = Math.floor(timeMs), i = 0; i < 10; i++, t = Math.floor(t / 32)) time = alphabet[t % 32] + time;
  let rest = '';
  for (let n = seq + salt * 65_536, i = 0; i < 16; i++, n = Math.floor(n / 32)) rest = alphabet[n % 32] + rest;
  return time + rest;
}

export function syntheticCall(options: SyntheticCallOptions): TimedUtterance[] {
  const rand = seededRandom(options.seed ?? 1);
  const between = (lo: number, hi: number) => Math.round(lo + rand() * (hi - lo));
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const perMinute = options.utterancesPerMinute ?? 10;
  // Acknowledgements add about 0.3 finals per regular one: regular utterances are spaced to leave room.
  const slotMs = (60_000 / perMinute) * 1.3;
  const startedAt = options.startedAt ?? Date.now();
  const redactionOutput = options.redactionOutput ?? 'redacted';
  const streams: Record<Role, string> = {
    customer: `${options.conversationId}-customer`,
    agent: `${options.conversationId}-agent`,
  };
  const salt = Math.floor(rand() * 1_000);

  const out: TimedUtterance[] = [];
  const add = (role: Role, text: string, startMs: number, endMs: number, readyMs: number) => {
    const raw = text.replace(/#+/g, (m) => '4'.repeat(m.length));
    out.push({
      atMs: readyMs,
      utterance: {
        conversationId: options.conversationId.toLowerCase(),
        externalConversationId: options.conversationId,
        messageId: messageId(startedAt + readyMs, out.length, salt),
        streamId: streams[role],
        role,
        externalId: role === 'agent' ? 'AGENT-0001' : 'CUST-0001',
        startMs,
        endMs,
        maskedText: text,
        rawText: raw,
        ...(redactionOutput === 'unredacted' ? { tokens: tokensOf(raw, startMs, endMs) } : {}),
        redactionOutput,
        clientTimestamp: new Date(startedAt + startMs).toISOString(),
        createdTimestamp: new Date(startedAt + readyMs).toISOString(),
        tenant: DEFAULT_TENANT,
      },
    });
  };

  let role: Role = 'agent';
  let clock = between(300, 1_500);
  while (true) {
    const turn = between(1, 3);
    for (let i = 0; i < turn; i++) {
      const lengthMs = between(Math.max(300, slotMs * 0.3), Math.max(400, slotMs * 0.6));
      const start = clock;
      const end = start + lengthMs;
      if (end > options.durationMs) return out.sort((a, b) => a.atMs - b.atMs);
      const lastOfTurn = i === turn - 1;
      // The last final of a turn waits out a longer silence before the recognizer closes it.
      add(
        role,
        pick(role === 'agent' ? AGENT_LINES : CUSTOMER_LINES),
        start,
        end,
        end + (lastOfTurn ? between(700, 1_200) : between(300, 700)),
      );
      clock = Math.max(end + Math.min(200, slotMs * 0.2), start + Math.round(slotMs * (0.6 + rand() * 0.8)));
    }
    const previousEnd = out.at(-1)!.utterance.endMs;
    role = role === 'agent' ? 'customer' : 'agent';
    if (rand() < 0.6) {
      // Quick acknowledgement right at the turn change: ready in the same moment as the last final.
      const start = previousEnd + between(80, 250);
      const end = start + between(400, 700);
      if (end > options.durationMs) break;
      add(role, pick(ACKNOWLEDGEMENTS), start, end, end + between(150, 350));
      clock = Math.max(clock, end + between(150, 400));
    }
  }
  return out.sort((a, b) => a.atMs - b.atMs);
}

function tokensOf(text: string, startMs: number, endMs: number): Utterance['tokens'] {
  const words = text.split(/\s+/).filter(Boolean);
  const step = (endMs - startMs) / Math.max(1, words.length);
  return words.map((w, i) => {
    const m = /^(.*?)([.,?!]?)$/.exec(w)!;
    return {
      content: m[1] || w,
      start: Math.round(startMs + i * step),
      end: Math.round(startMs + (i + 1) * step),
      ...(m[2] ? { punctuationAfter: m[2] } : {}),
    };
  });
}
