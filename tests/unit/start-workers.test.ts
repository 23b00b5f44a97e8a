import { describe, expect, it } from 'vitest';
import { assertEveryQueueHasAProcessor } from '../../workers/start-workers.js';

describe('worker start-up', () => {
  it('refuses to start when a queue has no processor, naming it', () => {
    const noop = async () => undefined;
    expect(() => assertEveryQueueHasAProcessor({ transactional: noop })).toThrow(
      'No processor for queue(s): campaign-purge, target-letter, inbound, broadcast-plan, broadcast-send',
    );
    expect(() =>
      assertEveryQueueHasAProcessor({
        transactional: noop,
        'campaign-purge': noop,
        'target-letter': noop,
        inbound: noop,
        'broadcast-plan': noop,
        'broadcast-send': noop,
      }),
    ).not.toThrow();
  });
});
