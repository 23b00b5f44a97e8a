/**
 * Sends one transactional mail from the ledger: claim the row, re-check that the person may still be
 * mailed (suppression is checked just before sending, so an unsubscribe is honoured at once), render,
 * send, and record the SMTP server's answer. Failures by class: 4xx and connection errors are retried
 * with backoff; a 5xx is permanent, and suppresses the address everywhere as a hard bounce.
 */
import { UnrecoverableError, type Job } from 'bullmq';
import type { Database } from '../src/db/client.js';
import type { LinkUrls } from '../src/links/link-urls.js';
import { classifySendError } from '../src/mail/smtp-outcome.js';
import type { MailTransport } from '../src/mail/mail-transport.js';
import { composeTransactionalMail } from '../src/mail/transactional-mail.js';
import { claimMessage, listUnsentMessages, recordMessageOutcome } from '../src/mail/transactional-ledger.js';
import type { JobData, Queues } from '../src/queue/queues.js';
import { mailJobId } from '../src/queue/queues.js';
import { replyMissedBy } from '../src/replies/forwarded-reply.js';
import { emailHash } from '../src/supporters/email-address.js';
import {
  addSuppression,
  findSuppression,
  loadSupporterContext,
  type SupporterContext,
} from '../src/supporters/supporter-queries.js';

export interface SendTransactionalDeps {
  db: Database;
  transport: MailTransport;
  links: LinkUrls;
  mailFrom: string;
}

/** Why this person must not get this mail now, or undefined if they may. */
async function reasonNotToSend(db: Database, kind: string, { supporter, contact, campaign }: SupporterContext) {
  const campaignMail = kind === 'letter_copy';
  const suppression = await findSuppression(db, emailHash(contact.email), campaignMail ? campaign.organiserId : null);
  if (suppression) return `suppressed (${suppression.reason})`;
  if (campaignMail && supporter.status !== 'confirmed') return 'not confirmed';
  if (campaignMail && supporter.unsubscribedAt) return 'unsubscribed';
  if (kind === 'confirmation' && supporter.status === 'confirmed' && !supporter.unsubscribedAt) return 'already confirmed';
  return undefined;
}

export function makeSendTransactional(deps: SendTransactionalDeps) {
  return async ({ messageId }: JobData<'transactional'>, job: Job) => {
    const message = await claimMessage(deps.db, messageId);
    if (!message) return { outcome: 'nothing to send' };

    const context = await loadSupporterContext(deps.db, message.supporterId);
    if (!context) {
      await recordMessageOutcome(deps.db, message.id, 'skipped', 'not sent: the supporter no longer exists');
      return { outcome: 'skipped' };
    }
    const reason = await reasonNotToSend(deps.db, message.kind, context);
    if (reason) {
      await recordMessageOutcome(deps.db, message.id, 'skipped', `not sent: ${reason}`);
      return { outcome: 'skipped', reason };
    }

    const missedReply =
      message.kind === 'letter_copy' && context.supporter.confirmedAt
        ? await replyMissedBy(deps.db, context.campaign.id, context.supporter.confirmedAt)
        : undefined;
    const mail = composeTransactionalMail(message.kind, message.id, context, { mailFrom: deps.mailFrom, links: deps.links }, missedReply);
    try {
      const { response } = await deps.transport.send(mail);
      await recordMessageOutcome(deps.db, message.id, 'sent', response);
      return { outcome: 'sent', response };
    } catch (error) {
      const failure = classifySendError(error);
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (failure.class === 'permanent') {
        await recordMessageOutcome(deps.db, message.id, 'failed', failure.response);
        if (failure.recipientRefused) {
          await addSuppression(deps.db, {
            emailHash: emailHash(context.contact.email),
            organiserId: null,
            reason: 'hard_bounce',
            detail: failure.response.slice(0, 500),
          });
        }
        // UnrecoverableError takes no cause: the SMTP response is in its message and in the ledger.
        throw new UnrecoverableError(`permanent failure: ${failure.response}`);
      }
      await recordMessageOutcome(deps.db, message.id, lastAttempt ? 'failed' : 'pending', failure.response);
      throw new Error(`${failure.class} failure, ${lastAttempt ? 'giving up' : 'will retry'}: ${failure.response}`, { cause: error });
    }
  };
}

const SWEEP_AFTER_SECONDS = 60;

/** Re-queues ledger rows still unsent after a minute: their job was lost (Redis flushed, enqueue failed). */
export async function requeueUnsentMail(db: Database, queues: Queues): Promise<number> {
  const ids = await listUnsentMessages(db, SWEEP_AFTER_SECONDS, 1_000);
  for (const id of ids) await queues.requeue('transactional', 'send', { messageId: id }, mailJobId(id));
  return ids.length;
}
