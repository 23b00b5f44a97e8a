/**
 * For work nobody waits for: items are handed to `flush` together, at most `maxItems` at a time and
 * no later than `lingerMs` after the first of them arrived. Under load one larger round trip costs
 * far less than many small ones; a quiet service pays `lingerMs` of delay.
 */
export interface DeferredBatches<T> {
  add(items: T[]): void;
  /** Flushes what is waiting and resolves when every flush started so far has finished. */
  drain(): Promise<void>;
}

/** `flush` must not reject: what it does with a failure (log it, leave it to a sweep) is its own. */
export function deferredBatches<T>(
  flush: (items: T[]) => Promise<void>,
  options: { lingerMs: number; maxItems: number },
): DeferredBatches<T> {
  let waiting: T[] = [];
  let timer: NodeJS.Timeout | undefined;
  const flushing = new Set<Promise<void>>();

  function flushWaiting() {
    clearTimeout(timer);
    timer = undefined;
    while (waiting.length > 0) {
      const batch = waiting.slice(0, options.maxItems);
      waiting = waiting.slice(options.maxItems);
      const done: Promise<void> = flush(batch).finally(() => flushing.delete(done));
      flushing.add(done);
    }
  }

  return {
    add(items) {
      waiting.push(...items);
      if (waiting.length >= options.maxItems) flushWaiting();
      else if (!timer && waiting.length > 0) timer = setTimeout(flushWaiting, options.lingerMs);
    },
    async drain() {
      flushWaiting();
      await Promise.all(flushing);
    },
  };
}
