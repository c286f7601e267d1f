import { describe, expect, it } from 'vitest';
import { mergeByMessageId } from '#core/daily-export/shard-merge.ts';

const item = (messageId: string) => ({ messageId });

async function* from<T>(items: T[], delayEvery = 0): AsyncGenerator<T> {
  let i = 0;
  for (const x of items) {
    if (delayEvery && ++i % delayEvery === 0) await new Promise((r) => setTimeout(r, 1));
    yield x;
  }
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of iterable) out.push(x);
  return out;
}

describe('merge of shard queries', () => {
  it('yields every item once, ordered by messageId across shards', async () => {
    const shards = [['01A', '01D', '01G'], [], ['01B', '01C'], ['01E', '01F', '01H', '01I']];
    const merged = await collect(mergeByMessageId(shards.map((s, i) => from(s.map(item), i + 1))));
    expect(merged.map((m) => m.messageId)).toEqual(['01A', '01B', '01C', '01D', '01E', '01F', '01G', '01H', '01I']);
  });

  it('handles no shards and only empty shards', async () => {
    expect(await collect(mergeByMessageId([]))).toEqual([]);
    expect(await collect(mergeByMessageId([from([]), from([])]))).toEqual([]);
  });

  it('reads each shard at most readAhead items ahead of the merge', async () => {
    let produced = 0;
    async function* counting(n: number) {
      for (let i = 0; i < n; i++) {
        produced += 1;
        yield item(`id-${String(i).padStart(6, '0')}`);
      }
    }
    const merged = mergeByMessageId([counting(10_000)], 50);
    await merged.next();
    await new Promise((r) => setTimeout(r, 20));
    expect(produced).toBeLessThanOrEqual(52);
    await merged.return(undefined);
  });

  it('surfaces a shard query failure', async () => {
    async function* failing() {
      yield item('01A');
      throw new Error('throttled');
    }
    await expect(collect(mergeByMessageId([failing(), from([item('01B')])]))).rejects.toThrow('throttled');
  });

  it('closes every shard query when the consumer stops early', async () => {
    let closed = 0;
    async function* tracked(ids: string[]) {
      try {
        for (const id of ids) yield item(id);
      } finally {
        closed += 1;
      }
    }
    for await (const m of mergeByMessageId([tracked(['1', '3']), tracked(['2', '4'])])) {
      if (m.messageId === '2') break;
    }
    expect(closed).toBe(2);
  });
});
