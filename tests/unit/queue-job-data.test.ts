import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MESSAGES_PER_MAIL_JOB, queueDefinitions } from '../../src/queue/queues.js';

const ids = (n: number) => Array.from({ length: n }, () => randomUUID());
const transactional = queueDefinitions.transactional;

describe('transactional job data', () => {
  it('takes one to MESSAGES_PER_MAIL_JOB message ids', () => {
    expect(transactional.safeParse({ messageIds: ids(1) }).success).toBe(true);
    expect(transactional.safeParse({ messageIds: ids(MESSAGES_PER_MAIL_JOB) }).success).toBe(true);
  });

  it.each([
    ['no ids', { messageIds: [] }],
    ['more ids than a job carries', { messageIds: ids(MESSAGES_PER_MAIL_JOB + 1) }],
    ['an id that is not a uuid', { messageIds: [randomUUID(), 'not-a-uuid'] }],
    ['the single-message shape of before', { messageId: randomUUID() }],
    ['an extra field', { messageIds: ids(1), priority: 1 }],
  ])('refuses %s', (_what, data) => {
    expect(transactional.safeParse(data).success).toBe(false);
  });
});
