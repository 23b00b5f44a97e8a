/**
 * Sends transactional mail from the ledger, each message on its own: claim the row, re-check that
 * the person may still be mailed (suppression is checked just before sending, so an unsubscribe is
 * honoured at once), render, send, and record the SMTP server's answer. Failures by class: 4xx and
 * connection errors are retried with backoff; a 5xx is permanent, and suppresses the address
 * everywhere as a hard bounce.
 */
import { UnrecoverableError, type Job } from 'bullmq';
import type { Database } from '../src/db/client.js';
import type { LinkUrls } from '../src/links/link-urls.js';
import { classifySendError } from '../src/mail/smtp-outcome.js';
import type { MailTransport, OutgoingMail } from '../src/mail/mail-transport.js';
import { composeTransactionalMail } from '../src/mail/transactional-mail.js';
import { claimMessage, listUnsentMessages, recordMessageOutcome, type TransactionalMessageRow } from '../src/mail/transactional-ledger.js';
import { loadSignInMailContext } from '../src/organiser-app/sign-in-links.js';
import { composeSignInMail } from '../src/organiser-app/sign-in-mail.js';
import type { JobData, Queues } from '../src/queue/queues.js';
import { mailJobId } from '../src/queue/queues.js';
import { replyMissedBy } from '../src/replies/forwarded-reply.js';
import { LetterRenderError } from '../src/templates/render-template.js';
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
  /** This process's id in worker_processes: its claims carry it (see claim-recovery.ts). */
  claimant: string;
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

type MessageOutcome =
  | { outcome: 'nothing to send' | 'skipped' | 'sent'; messageId: string; detail?: string }
  | { outcome: 'failed'; messageId: string; detail: string }
  | { outcome: 'will retry'; messageId: string; detail: string; serverUnreachable: boolean };

/** A mail ready to send, or why this message is not sent (skipped: not now; failed: never). */
type Prepared = { mail: OutgoingMail } | { skipped: string } | { failed: string };

async function prepareSupporterMail(deps: SendTransactionalDeps, message: TransactionalMessageRow, supporterId: string): Promise<Prepared> {
  const context = await loadSupporterContext(deps.db, supporterId);
  if (!context) return { skipped: 'the supporter no longer exists' };
  const reason = await reasonNotToSend(deps.db, message.kind, context);
  if (reason) return { skipped: reason };

  const missedReply =
    message.kind === 'letter_copy' && context.supporter.confirmedAt
      ? await replyMissedBy(deps.db, context.campaign.id, context.supporter.confirmedAt)
      : undefined;
  try {
    return { mail: composeTransactionalMail(message.kind, message.id, context, { mailFrom: deps.mailFrom, links: deps.links }, missedReply) };
  } catch (error) {
    // A letter that cannot be rendered for this supporter will not render on a retry either.
    if (!(error instanceof LetterRenderError)) throw error;
    return { failed: error.message };
  }
}

/** A sign-in link, unless it was used or expired before its turn came (a new one is a click away). */
async function prepareSignInMail(deps: SendTransactionalDeps, message: TransactionalMessageRow, linkId: string): Promise<Prepared> {
  const context = await loadSignInMailContext(deps.db, linkId);
  if (!context) return { skipped: 'the sign-in link no longer exists' };
  if (!context.usable) return { skipped: 'the sign-in link was used or expired before it could be sent' };
  const suppression = await findSuppression(deps.db, emailHash(context.email), null);
  if (suppression) return { skipped: `suppressed (${suppression.reason})` };
  return { mail: composeSignInMail(message.id, context, { mailFrom: deps.mailFrom, url: deps.links.signInUrl(linkId) }) };
}

async function sendMessage(deps: SendTransactionalDeps, messageId: string, lastAttempt: boolean): Promise<MessageOutcome> {
  const message = await claimMessage(deps.db, deps.claimant, messageId);
  if (!message) return { outcome: 'nothing to send', messageId };
  const record = (status: Parameters<typeof recordMessageOutcome>[3], response: string) =>
    recordMessageOutcome(deps.db, deps.claimant, message.id, status, response);

  const prepared = message.signInLinkId
    ? await prepareSignInMail(deps, message, message.signInLinkId)
    : await prepareSupporterMail(deps, message, message.supporterId!);
  if ('skipped' in prepared) {
    await record('skipped', `not sent: ${prepared.skipped}`);
    return { outcome: 'skipped', messageId, detail: prepared.skipped };
  }
  if ('failed' in prepared) {
    await record('failed', `not sent: ${prepared.failed}`);
    return { outcome: 'failed', messageId, detail: prepared.failed };
  }
  const { mail } = prepared;
  try {
    const { response } = await deps.transport.send(mail);
    await record('sent', response);
    return { outcome: 'sent', messageId, detail: response };
  } catch (error) {
    const failure = classifySendError(error);
    if (failure.class === 'permanent') {
      await record('failed', failure.response);
      if (failure.recipientRefused) {
        await addSuppression(deps.db, {
          emailHash: emailHash(mail.to.address),
          organiserId: null,
          reason: 'hard_bounce',
          detail: failure.response.slice(0, 500),
        });
      }
      return { outcome: 'failed', messageId, detail: `permanent failure: ${failure.response}` };
    }
    await record(lastAttempt ? 'failed' : 'pending', failure.response);
    return lastAttempt
      ? { outcome: 'failed', messageId, detail: `${failure.class} failure, giving up: ${failure.response}` }
      : { outcome: 'will retry', messageId, detail: `${failure.class} failure: ${failure.response}`, serverUnreachable: failure.class === 'connection' };
  }
}

/**
 * A job carries the mail the API queued within a few milliseconds (see app.ts). Each message is
 * claimed, sent and recorded on its own; if any failed in a way worth retrying, the job fails and
 * BullMQ runs it again with backoff, when the claim skips every message already sent or given up.
 * A job with permanent failures only fails for good.
 */
export function makeSendTransactional(deps: SendTransactionalDeps) {
  return async ({ messageIds }: JobData<'transactional'>, job: Job) => {
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const outcomes: MessageOutcome[] = [];
    // One after another (the worker runs several jobs at once). When the SMTP server cannot be
    // reached, the rest of the job would only wait for it too: they go with the retry.
    for (const messageId of messageIds) {
      const outcome = await sendMessage(deps, messageId, lastAttempt);
      outcomes.push(outcome);
      if (outcome.outcome === 'will retry' && outcome.serverUnreachable) break;
    }

    const failures = (kind: MessageOutcome['outcome']) =>
      outcomes.filter((outcome) => outcome.outcome === kind).map(({ messageId, detail }) => `${messageId}: ${detail}`);
    const toRetry = failures('will retry');
    const untried = messageIds.length - outcomes.length;
    if (toRetry.length > 0) {
      throw new Error(`will retry ${toRetry.length + untried} of ${messageIds.length} (${untried} not tried yet): ${toRetry.join('; ')}`);
    }
    const failed = failures('failed');
    // UnrecoverableError takes no cause: the SMTP responses are in its message and in the ledger.
    if (failed.length > 0) throw new UnrecoverableError(`failed ${failed.length} of ${messageIds.length}: ${failed.join('; ')}`);
    return { outcomes };
  };
}

const SWEEP_AFTER_SECONDS = 60;

/** Re-queues ledger rows still unsent after a minute: their job was lost (Redis flushed, enqueue failed). */
export async function requeueUnsentMail(db: Database, queues: Queues): Promise<number> {
  const ids = await listUnsentMessages(db, SWEEP_AFTER_SECONDS, 1_000);
  for (const id of ids) await queues.requeue('transactional', 'send', { messageIds: [id] }, mailJobId(id));
  return ids.length;
}
