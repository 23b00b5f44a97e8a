/** Queues notification mail already in the ledger; if this fails, the sweep queues it within a minute. */
import { MESSAGES_PER_MAIL_JOB, mailJobId, type Queues } from '../queue/queues.js';

export type QueueMail = (messageIds: string[]) => Promise<void>;

export function makeQueueMail(queues: Pick<Queues, 'add'>): QueueMail {
  return async (messageIds) => {
    for (let at = 0; at < messageIds.length; at += MESSAGES_PER_MAIL_JOB) {
      const chunk = messageIds.slice(at, at + MESSAGES_PER_MAIL_JOB);
      await queues.add('transactional', 'send', { messageIds: chunk }, mailJobId(chunk[0]!));
    }
  };
}
