import { describe, expect, it } from 'vitest';
import { assertEveryQueueHasAProcessor } from '../../workers/start-workers.js';

describe('worker start-up', () => {
  it('refuses to start when a queue has no processor, naming it', () => {
    expect(() => assertEveryQueueHasAProcessor({ maintenance: async () => undefined })).toThrow(
      'No processor for queue(s): campaign-purge',
    );
    expect(() =>
      assertEveryQueueHasAProcessor({ maintenance: async () => undefined, 'campaign-purge': async () => undefined }),
    ).not.toThrow();
  });
});
