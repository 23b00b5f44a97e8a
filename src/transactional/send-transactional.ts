/**
 * Sends one-to-one mail from the ledger, each message on its own: claim the row, re-check that the
 * person may still be mailed (just before sending, so an unsubscribe is honoured at once), render,
 * send, and record the SMTP server's answer. A failure means what it means for every kind of mail
 * (delivery-outcome.ts): a 4xx or a connection error is retried on the ledger's schedule, as long
 * as a broadcast's; a refused recipient suppresses the address everywhere as a hard bounce.
 */
import { UnrecoverableError } from 'bullmq';
import type { Database } from '../db/client.js';
import type { LinkUrls } from '../links/link-urls.js';
import { outcomeOfFailedSend, type RetrySchedule } from '../mail/delivery-outcome.js';
import type { MailTransport } from '../mail/mail-transport.js';
import type { OutgoingMail } from '../mail/outgoing-mail.js';
import { prepareBroadcastTest } from '../broadcasts/broadcast-test-mail.js';
import { prepareNotification } from '../notifications/prepare-notification.js';
import { loadSignInMailContext } from '../organiser-app/sign-in-links.js';
import type { ReturnPaths } from '../mail/return-path.js';
import { composeSignInMail } from '../organiser-app/sign-in-mail.js';
import { withOrganisationFooter } from '../organisers/mail-footer.js';
import { loadOrganisationIdentity, organisationFooterLine } from '../organisers/organisation-identity.js';
import { composeTransactionalMail, type SupporterMailKind } from './transactional-mail.js';
import type { LedgerOutcome } from '../infra/mail-ledger.js';
import { claimMessage, listUnsentMessages, recordMessageOutcome, type TransactionalMessageRow } from './transactional-ledger.js';
import type { JobData, Queues } from '../queue/queues.js';
import { mailJobId, mailRetryJobId } from '../queue/queues.js';
import { replyMissedBy } from '../replies/forwarded-reply.js';
import { LetterRenderError } from '../templates/render-template.js';
import { reasonNotToMail, suppressionScope, type MailPurpose } from '../suppressions/may-we-mail.js';
import { addSuppression, findSuppression } from '../suppressions/suppressions.js';
import { loadSupporterContext, type SupporterContext } from '../supporters/supporter-queries.js';

export interface SendTransactionalDeps {
  db: Database;
  transport: MailTransport;
  links: LinkUrls;
  mailFrom: string;
  /** The envelope sender of each message: its row's return path. */
  returnPaths: ReturnPaths;
  /** This process's id in worker_processes: its claims carry it (see claim-recovery.ts). */
  claimant: string;
  schedule: RetrySchedule;
  /** Where a message waiting for its retry is queued again, delayed. */
  queues: Pick<Queues, 'add'>;
}

const PURPOSE: Record<SupporterMailKind, MailPurpose> = { confirmation: 'confirmation', letter_copy: 'campaign', privacy_link: 'account' };

/** Why this person must not get this mail now, or undefined if they may (may-we-mail.ts). */
async function reasonNotToSend(db: Database, kind: SupporterMailKind, { supporter, contact, campaign }: SupporterContext) {
  const purpose = PURPOSE[kind];
  const suppression = await findSuppression(db, contact.email, suppressionScope(purpose, campaign.organiserId));
  const addressee = { confirmed: supporter.status === 'confirmed', unsubscribed: supporter.unsubscribedAt !== null, suppressedBecause: suppression?.reason ?? null };
  return reasonNotToMail(addressee, purpose);
}

type MessageOutcome =
  | { outcome: 'nothing to send' | 'skipped' | 'sent'; messageId: string; detail?: string }
  | { outcome: 'failed'; messageId: string; detail: string }
  | { outcome: 'will retry'; messageId: string; detail: string; attempts: number; retryAt: Date; serverUnreachable: boolean };

/**
 * A mail ready to send (with the campaign it is about, if any: a refusal's suppression names it), or
 * why this message is not sent (skipped: not now; failed: never).
 */
type Prepared = { mail: OutgoingMail; campaignId?: string } | { skipped: string } | { failed: string };

async function prepareSupporterMail(deps: SendTransactionalDeps, message: TransactionalMessageRow, supporterId: string): Promise<Prepared> {
  const context = await loadSupporterContext(deps.db, supporterId);
  if (!context) return { skipped: 'the supporter no longer exists' };
  const kind = message.kind as SupporterMailKind;
  const reason = await reasonNotToSend(deps.db, kind, context);
  if (reason) return { skipped: reason };

  const missedReply =
    kind === 'letter_copy' && context.supporter.confirmedAt
      ? await replyMissedBy(deps.db, context.campaign.id, context.supporter.confirmedAt)
      : undefined;
  try {
    const mail = composeTransactionalMail(kind, message.id, context, { mailFrom: deps.mailFrom, links: deps.links }, missedReply);
    const footer = organisationFooterLine(await loadOrganisationIdentity(deps.db, context.campaign.organiserId));
    return { mail: withOrganisationFooter(mail, footer), campaignId: context.campaign.id };
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
  const suppression = await findSuppression(deps.db, context.email, null);
  if (suppression) return { skipped: `suppressed (${suppression.reason})` };
  return { mail: composeSignInMail(message.id, context, { mailFrom: deps.mailFrom, url: deps.links.signInUrl(linkId) }) };
}

function prepare(deps: SendTransactionalDeps, message: TransactionalMessageRow): Promise<Prepared> {
  if (message.kind === 'broadcast_test') return prepareBroadcastTest(deps.db, message, { mailFrom: deps.mailFrom });
  if (message.signInLinkId) return prepareSignInMail(deps, message, message.signInLinkId);
  if (message.organiserId) return prepareNotification(deps.db, message, { mailFrom: deps.mailFrom, appUrl: (path) => deps.links.appUrl(path) });
  return prepareSupporterMail(deps, message, message.supporterId!);
}

async function sendMessage(deps: SendTransactionalDeps, messageId: string): Promise<MessageOutcome> {
  const message = await claimMessage(deps.db, deps.claimant, messageId);
  if (!message) return { outcome: 'nothing to send', messageId };
  const record = (outcome: LedgerOutcome) => recordMessageOutcome(deps.db, deps.claimant, message.id, outcome);

  const prepared = await prepare(deps, message);
  if ('skipped' in prepared) {
    await record({ status: 'skipped', response: `not sent: ${prepared.skipped}` });
    return { outcome: 'skipped', messageId, detail: prepared.skipped };
  }
  if ('failed' in prepared) {
    await record({ status: 'failed', response: `not sent: ${prepared.failed}` });
    return { outcome: 'failed', messageId, detail: prepared.failed };
  }
  const { mail, campaignId } = prepared;
  try {
    const { response } = await deps.transport.send(mail, deps.returnPaths.of({ ledger: 'transactional', id: message.id }));
    await record({ status: 'sent', response });
    return { outcome: 'sent', messageId, detail: response };
  } catch (error) {
    const failed = outcomeOfFailedSend(error, message.attempts, deps.schedule);
    if (failed.status === 'retry') {
      await record({ status: 'pending', response: failed.response, retryAt: failed.retryAt });
      const { retryAt, serverUnreachable } = failed;
      return { outcome: 'will retry', messageId, detail: failed.response, attempts: message.attempts, retryAt, serverUnreachable };
    }
    await record({ status: 'failed', response: failed.response });
    if (failed.status === 'bounced') {
      await addSuppression(deps.db, {
        email: mail.to.address,
        organiserId: null,
        reason: 'hard_bounce',
        source: 'smtp',
        campaignId: campaignId ?? null,
        detail: failed.response.slice(0, 500),
      });
    }
    return { outcome: 'failed', messageId, detail: `given up after ${message.attempts} attempt(s): ${failed.response}` };
  }
}

/**
 * A job carries the mail the API queued within a few milliseconds (see app.ts). Each message is
 * claimed, sent and recorded on its own. One that will be tried again is queued again, delayed until
 * its retry time (and the sweep finds it if that job is lost); a job whose messages were given up
 * fails for good, naming them.
 */
export function makeSendTransactional(deps: SendTransactionalDeps) {
  return async ({ messageIds }: JobData<'transactional'>) => {
    const outcomes: MessageOutcome[] = [];
    // One after another (the worker runs several jobs at once). When the SMTP server cannot be
    // reached, the rest of the job would only wait for it too: they go with its retry.
    for (const messageId of messageIds) {
      const outcome = await sendMessage(deps, messageId);
      outcomes.push(outcome);
      if (outcome.outcome === 'will retry' && outcome.serverUnreachable) break;
    }
    const untried = messageIds.slice(outcomes.length);
    for (const outcome of outcomes) {
      if (outcome.outcome !== 'will retry') continue;
      const retried = [outcome.messageId, ...(outcome.serverUnreachable ? untried : [])];
      const delay = Math.max(0, outcome.retryAt.getTime() - Date.now());
      await deps.queues.add('transactional', 'send', { messageIds: retried }, mailRetryJobId(outcome.messageId, outcome.attempts), { delay });
    }

    const failed = outcomes.flatMap((outcome) => (outcome.outcome === 'failed' ? [`${outcome.messageId}: ${outcome.detail}`] : []));
    // UnrecoverableError takes no cause: the SMTP responses are in its message and in the ledger.
    if (failed.length > 0) throw new UnrecoverableError(`failed ${failed.length} of ${messageIds.length}: ${failed.join('; ')}`);
    return { outcomes, untried: untried.length };
  };
}

/** Re-queues ledger rows whose job had its chance: it was lost (Redis flushed, enqueue failed), or their delayed retry was. */
export async function requeueUnsentMail(db: Database, queues: Queues, graceSeconds: number): Promise<number> {
  const ids = await listUnsentMessages(db, graceSeconds, 1_000);
  for (const id of ids) await queues.requeue('transactional', 'send', { messageIds: [id] }, mailJobId(id));
  return ids.length;
}
