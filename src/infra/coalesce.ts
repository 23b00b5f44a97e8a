/**
 * Coalesces calls made within one turn of the event loop into one call with all their items, so
 * that under load, say, fifty sign-ups queue their mail in one Redis round trip instead of fifty.
 * Each caller's promise settles with the combined call.
 */
export function coalesce<T>(flush: (items: T[]) => Promise<void>): (items: T[]) => Promise<void> {
  let pending: { items: T[]; done: Promise<void> } | undefined;
  return (items) => {
    if (!pending) {
      const batch: { items: T[]; done?: Promise<void> } = { items: [] };
      batch.done = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
        pending = undefined;
        return flush(batch.items);
      });
      pending = batch as { items: T[]; done: Promise<void> };
    }
    pending.items.push(...items);
    return pending.done;
  };
}
