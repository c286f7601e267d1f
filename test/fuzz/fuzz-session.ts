import { randomUUID } from 'node:crypto';
import { AudioHookClient } from '#local/simulator/client.ts';
import { rng, TrafficGenerator } from './mutations.ts';

/**
 * One fuzzed session against a running gateway: a signed upgrade, hostile traffic, then an attempt to
 * close. Returns how the session ended, which must be one of the documented ways.
 */
export type SessionEnding =
  | 'closed' // close transaction completed (with or without our disconnect first)
  | 'socket-closed-by-server' // 1009 too big, 1007 bad UTF-8, idle timeout, or closed after `closed`
  | 'refused';

export async function fuzzSession(
  clientOptions: { url: string; apiKey: string; clientSecret: string },
  seed: number,
  frames: number,
): Promise<{ ending: SessionEnding; violations: string[] }> {
  const random = rng(seed);
  const conversationId = random() < 0.1 ? '00000000-0000-0000-0000-000000000000' : randomUUID();
  const client = new AudioHookClient({ ...clientOptions, conversationId, closeTimeoutMs: 3_000 });
  try {
    await client.connect();
  } catch {
    return { ending: 'refused', violations: [] };
  }
  const generator = new TrafficGenerator(random, client.sessionId, conversationId);
  if (random() < 0.8) {
    await client.open().catch(() => undefined);
  }
  for (let i = 0; i < frames && client.closeCode === undefined; i++) {
    const frame = generator.next();
    client.sendRaw(frame.data);
  }
  if (client.closeCode !== undefined) return { ending: 'socket-closed-by-server', violations: client.violations };
  try {
    // A well-behaved client ends with close; the server must answer closed whatever came before.
    client.sendMessage('close', { reason: 'end' }, { seq: 1_000_000 });
    await client.waitFor((m) => m.type === 'closed', 3_000, 'closed');
    await client.drop();
    return { ending: 'closed', violations: client.violations };
  } catch (error) {
    if (client.closeCode !== undefined) return { ending: 'socket-closed-by-server', violations: client.violations };
    await client.drop();
    throw new Error(`seed ${seed}: session neither closed nor was closed by the server: ${(error as Error).message}`, { cause: error });
  }
}
