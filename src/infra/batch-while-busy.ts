/**
 * Group commit. Up to `concurrency` batches run at once; calls made while they are all busy wait and
 * go together in the next batch of at most `maxBatch`. A quiet service runs each call at once, a busy
 * one makes fewer, larger round trips (one statement, one commit) instead of queueing them one by one.
 * When a batch of several fails, each of its calls runs alone, so a bad input fails only itself.
 */
export function batchWhileBusy<I, O>(
  run: (inputs: I[]) => Promise<O[]>,
  options: { concurrency: number; maxBatch: number },
): (input: I) => Promise<O> {
  interface Call {
    input: I;
    resolve: (output: O) => void;
    reject: (error: unknown) => void;
  }
  const waiting: Call[] = [];
  let running = 0;

  async function runAlone(call: Call) {
    try {
      const [output] = await run([call.input]);
      call.resolve(output!);
    } catch (error) {
      call.reject(error);
    }
  }

  async function runBatch(batch: Call[]) {
    if (batch.length === 1) return runAlone(batch[0]!);
    let outputs: O[];
    try {
      outputs = await run(batch.map((call) => call.input));
    } catch {
      await Promise.all(batch.map(runAlone));
      return;
    }
    batch.forEach((call, i) => call.resolve(outputs[i]!));
  }

  function startBatches() {
    while (running < options.concurrency && waiting.length > 0) {
      running++;
      void runBatch(waiting.splice(0, options.maxBatch)).finally(() => {
        running--;
        startBatches();
      });
    }
  }

  return (input) =>
    new Promise<O>((resolve, reject) => {
      waiting.push({ input, resolve, reject });
      startBatches();
    });
}

/**
 * batchWhileBusy for calls that each pass a list: a batch is one call of `run` with every list
 * concatenated, and each caller gets back the results of its own items.
 */
export function batchListsWhileBusy<I, O>(
  run: (items: I[]) => Promise<O[]>,
  options: { concurrency: number; maxBatch: number },
): (items: I[]) => Promise<O[]> {
  return batchWhileBusy(async (lists: I[][]) => {
    const results = await run(lists.flat());
    let next = 0;
    return lists.map((list) => results.slice(next, (next += list.length)));
  }, options);
}
