import { describe, expect, it } from 'vitest';
import { batchListsWhileBusy, batchWhileBusy } from '../../src/infra/batch-while-busy.js';

/** A stand-in for a round trip that answers each input doubled, and records the batches it got. */
function doubler(options: { failOn?: number } = {}) {
  const batches: number[][] = [];
  const run = async (inputs: number[]) => {
    batches.push(inputs);
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (inputs.includes(options.failOn ?? Number.NaN)) throw new Error(`refused ${options.failOn}`);
    return inputs.map((n) => n * 2);
  };
  return { batches, run };
}

describe('batching calls while busy', () => {
  it('runs a call at once when idle, and the calls made meanwhile together next', async () => {
    const { batches, run } = doubler();
    const call = batchWhileBusy(run, { concurrency: 1, maxBatch: 100 });
    expect(await Promise.all([1, 2, 3, 4, 5].map(call))).toEqual([2, 4, 6, 8, 10]);
    expect(batches).toEqual([[1], [2, 3, 4, 5]]);
  });

  it('runs up to `concurrency` batches at once and splits at `maxBatch`', async () => {
    const { batches, run } = doubler();
    const call = batchWhileBusy(run, { concurrency: 2, maxBatch: 3 });
    expect(await Promise.all([1, 2, 3, 4, 5, 6, 7, 8, 9].map(call))).toEqual([2, 4, 6, 8, 10, 12, 14, 16, 18]);
    expect(batches).toEqual([[1], [2], [3, 4, 5], [6, 7, 8], [9]]);
  });

  it('fails only the call whose input the round trip refuses', async () => {
    const { batches, run } = doubler({ failOn: 4 });
    const call = batchWhileBusy(run, { concurrency: 1, maxBatch: 100 });
    const outcomes = await Promise.allSettled([1, 2, 3, 4, 5].map(call));
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as Error).message))).toEqual([2, 4, 6, 'refused 4', 10]);
    expect(batches).toEqual([[1], [2, 3, 4, 5], [2], [3], [4], [5]]);
  });

  it('gives each caller of the list form the results of its own items', async () => {
    const { batches, run } = doubler();
    const call = batchListsWhileBusy(run, { concurrency: 1, maxBatch: 100 });
    expect(await Promise.all([[1], [2, 3], [], [4, 5, 6]].map(call))).toEqual([[2], [4, 6], [], [8, 10, 12]]);
    expect(batches).toEqual([[1], [2, 3, 4, 5, 6]]);
  });
});
