import { describe, expect, it } from 'vitest';
import { assertEveryQueueHasAProcessor } from '../../workers/start-workers.js';

describe('worker start-up', () => {
  it('refuses to start when a queue has no processor, naming it', () => {
    const noop = async () => undefined;
    expect(() => assertEveryQueueHasAProcessor({ maintenance: noop })).toThrow(
      'No processor for queue(s): campaign-purge, transactional',
    );
    expect(() =>
      assertEveryQueueHasAProcessor({ maintenance: noop, 'campaign-purge': noop, transactional: noop }),
    ).not.toThrow();
  });
});
