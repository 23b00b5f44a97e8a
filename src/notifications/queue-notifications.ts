/**
 * Queues notification mail already in the ledger. Never fails its caller: the event it tells of has
 * happened and is recorded, and what Redis does not get now the sweep queues within a minute.
 */
import { MESSAGES_PER_MAIL_JOB, mailJobId, type Queues } from '../queue/queues.js';

export type QueueMail = (messageIds: string[]) => Promise<void>;

export function makeQueueMail(queues: Pick<Queues, 'add'>): QueueMail {
  return async (messageIds) => {
    try {
      for (let at = 0; at < messageIds.length; at += MESSAGES_PER_MAIL_JOB) {
        const chunk = messageIds.slice(at, at + MESSAGES_PER_MAIL_JOB);
        await queues.add('transactional', 'send', { messageIds: chunk }, mailJobId(chunk[0]!));
      }
    } catch {
      // Left to the sweep (requeueUnsentMail), like any mail whose job Redis lost.
    }
  };
}
