import { describe, expect, it } from 'vitest';
import { deferredBatches } from '../../src/infra/deferred-batches.js';

function recorder() {
  const flushed: number[][] = [];
  return { flushed, flush: async (items: number[]) => void flushed.push(items) };
}

describe('deferred batches', () => {
  it('hands over what arrived within the linger time together, once', async () => {
    const { flushed, flush } = recorder();
    const batches = deferredBatches(flush, { lingerMs: 30, maxItems: 100 });
    batches.add([1]);
    batches.add([2, 3]);
    expect(flushed).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 60));
    batches.add([4]);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(flushed).toEqual([[1, 2, 3], [4]]);
  });

  it('hands over at once when maxItems are waiting, never more than maxItems together', async () => {
    const { flushed, flush } = recorder();
    const batches = deferredBatches(flush, { lingerMs: 60_000, maxItems: 3 });
    batches.add([1, 2]);
    batches.add([3, 4, 5, 6, 7]);
    expect(flushed).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
  });

  it('drain flushes what waits and waits for the flushes in flight', async () => {
    const finished: number[][] = [];
    const batches = deferredBatches(
      async (items: number[]) => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        finished.push(items);
      },
      { lingerMs: 60_000, maxItems: 2 },
    );
    batches.add([1, 2, 3]);
    await batches.drain();
    expect(finished).toEqual([[1, 2], [3]]);
  });
});
