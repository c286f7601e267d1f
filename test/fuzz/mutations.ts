/**
 * A seeded generator of hostile AudioHook traffic: valid messages mutated field by field, truncated or
 * corrupted JSON, wrong types, huge values, random binary frames. The same seed gives the same traffic,
 * so a failure is reproduced by its seed.
 */

/** The seeded generator the fuzzer picks mutations with (shared with the load tester's synthetic calls). */
export { seededRandom as rng } from '#core/load/seeded-random.ts';

export type Frame = { kind: 'text'; data: string } | { kind: 'binary'; data: Uint8Array };

const TYPES = ['open', 'ping', 'close', 'paused', 'resumed', 'discarded', 'update', 'error', 'pong', 'opened', 'event', 'x-unknown', ''];
const WEIRD_VALUES: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  2 ** 53,
  -(2 ** 53),
  'x',
  '',
  'PT',
  'PT-1S',
  'PT1e9S',
  'P1Y',
  '💥',
  '\u0000',
  [],
  {},
  [1, [2, [3]]],
  { nested: { deep: { deeper: 'x'.repeat(100) } } },
  'A'.repeat(2_000),
  Number.NaN,
];

export class TrafficGenerator {
  private seq = 0;
  constructor(
    private readonly random: () => number,
    private readonly sessionId: string,
    private readonly conversationId: string,
  ) {}

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)];
  }

  /** A weird value of our own: the samples are shared, and mutation must never make them circular. */
  private weird(): unknown {
    return structuredClone(this.pick(WEIRD_VALUES));
  }

  private chance(p: number): boolean {
    return this.random() < p;
  }

  /** A plausible message of a random type, before mutation. */
  private baseMessage(): Record<string, unknown> {
    const type = this.pick(TYPES);
    const parameters: Record<string, unknown> = {};
    switch (type) {
      case 'open':
        Object.assign(parameters, {
          organizationId: '7a1a0f51-1234-4321-9876-123456789abc',
          conversationId: this.conversationId,
          participant: { id: this.conversationId, ani: '', aniName: '', dnis: '' },
          media: [
            {
              type: 'audio',
              format: 'PCMU',
              channels: this.pick([['external', 'internal'], ['internal'], ['internal', 'external']]),
              rate: 8000,
            },
          ],
        });
        break;
      case 'close':
        parameters.reason = this.pick(['end', 'error', 'disconnect', 'reconnect', 'other']);
        break;
      case 'resumed':
      case 'discarded':
        Object.assign(parameters, { start: 'PT1S', discarded: this.pick(['PT0S', 'PT0.2S', 'PT1.4S', 'PT600S', 'garbage']) });
        break;
      case 'error':
        Object.assign(parameters, { code: this.pick([400, 408, 429, 500, 9999, 1]), message: 'x', retryAfter: 'PT1S' });
        break;
      case 'ping':
        if (this.chance(0.5)) parameters.rtt = 'PT0.001S';
        break;
    }
    return { version: '2', id: this.sessionId, type, seq: ++this.seq, serverseq: 0, position: 'PT0S', parameters };
  }

  private mutateValue(value: Record<string, unknown>, depth = 0): void {
    const keys = Object.keys(value);
    const mutations = 1 + Math.floor(this.random() * 3);
    for (let i = 0; i < mutations; i++) {
      const roll = this.random();
      const key = keys.length > 0 ? this.pick(keys) : 'k';
      if (roll < 0.25) delete value[key];
      else if (roll < 0.6) value[key] = this.weird();
      else if (roll < 0.75) value[`extra${i}`] = this.weird();
      else if (roll < 0.9 && depth < 2 && typeof value.parameters === 'object' && value.parameters !== null) {
        this.mutateValue(value.parameters as Record<string, unknown>, depth + 1);
      } else value[key] = JSON.parse(JSON.stringify(value));
    }
  }

  next(): Frame {
    const roll = this.random();
    if (roll < 0.3) {
      const lengths = [0, 1, 2, 3, 159, 160, 320, 1599, 3200, 3201, 8000, 65_536];
      const length = this.chance(0.7) ? this.pick(lengths) : Math.floor(this.random() * 10_000);
      const data = new Uint8Array(length);
      for (let i = 0; i < length; i += 97) data[i] = Math.floor(this.random() * 256);
      return { kind: 'binary', data };
    }
    const message = this.baseMessage();
    if (this.chance(0.7)) this.mutateValue(message);
    let text = JSON.stringify(message) ?? 'null';
    const corrupt = this.random();
    if (corrupt < 0.08) text = text.slice(0, Math.floor(this.random() * text.length));
    else if (corrupt < 0.14) {
      const at = Math.floor(this.random() * text.length);
      text = text.slice(0, at) + String.fromCharCode(Math.floor(this.random() * 0x3000)) + text.slice(at + 1);
    } else if (corrupt < 0.16) text = this.pick(['', ' ', '[]', '"open"', '{}', '{"version":"2"}', 'x'.repeat(70_000)]);
    return { kind: 'text', data: text };
  }
}
