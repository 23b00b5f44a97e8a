/**
 * A send token: claims the broadcast's next due batch from the ledger, re-checks each recipient
 * (unsubscribed or suppressed since planning: skipped), renders and sends with bounded in-flight
 * messages under the global rate, records outcomes as they come, then queues its successor.
 *
 * Outcomes go to Postgres in a group commit shared by the process's tokens (one statement every
 * 20 ms at most), not once per batch: a worker killed mid-batch repeats only the messages accepted
 * in the last few tens of milliseconds, not a batch of 200 (see claim-recovery.ts). On shutdown a
 * token stops sending, gives back the rest of its batch and hands over to a successor.
 *
 * Failures by class: 4xx and connection errors become 'retry' with exponential backoff and jitter
 * until DELIVERY_MAX_ATTEMPTS; a 5xx refusing the recipient is a 'bounced' row and a hard-bounce
 * suppression everywhere; any other 5xx is 'failed'. When a batch's permanent failures exceed the
 * error budget (a suspended account, a blocklisted IP), the broadcast pauses itself with the reason
 * rather than burn through the list.
 */
import type { Job } from 'bullmq';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import { composeBroadcastMail } from '../broadcast-mail.js';
import { composeIndividualLetter, loadIndividualLetterFrame } from '../../letters/individual-letter-mail.js';
import { loadForwardedReply, type ForwardedReply } from '../../replies/forwarded-reply.js';
import { findBroadcastStatus, findBroadcastWithCampaign, type BroadcastRow } from '../broadcast-queries.js';
import { withOrganisationFooter } from '../../organisers/mail-footer.js';
import { loadOrganisationIdentity, organisationFooterLine } from '../../organisers/organisation-identity.js';
import {
  claimDeliveryBatch,
  nextRetryAt,
  recordDeliveryOutcomes,
  type ClaimedDelivery,
  type DeliveryOutcome,
} from '../delivery-ledger.js';
import { loadRecipients } from '../recipients.js';
import { errorBudgetExceeded, exclusionOf, holdBack } from '../send-decision.js';
import type { CampaignRow } from '../../db/schema.js';
import type { Config } from '../../config.js';
import type { Database } from '../../db/client.js';
import { deferredBatches, type DeferredBatches } from '../../infra/deferred-batches.js';
import type { SendRateGate } from '../../infra/send-rate.js';
import type { LinkUrls } from '../../links/link-urls.js';
import type { MailTransport } from '../../mail/mail-transport.js';
import { makeReturnPaths } from '../../mail/return-path.js';
import { outcomeOfFailedSend, retrySchedule } from '../../mail/delivery-outcome.js';
import type { JobData, Queues } from '../../queue/queues.js';
import { sendTokenId } from '../../queue/queues.js';
import { addSuppression } from '../../suppressions/suppressions.js';
import { compileLetter, type RenderedLetter } from '../../templates/render-template.js';
import type { MergeData } from '../../templates/merge-fields.js';
import { completeAndTell, pauseAndTell } from '../../notifications/broadcast-endings.js';
import { makeQueueMail } from '../../notifications/queue-notifications.js';

type LetterRenderer = (data: MergeData) => RenderedLetter;

export const BATCH_SIZE = 200;
/** While the planner is still writing rows, an idle token looks again this soon. */
const WAIT_FOR_PLANNER_MS = 200;

export interface SendBroadcastDeps {
  db: Database;
  transport: MailTransport;
  links: LinkUrls;
  queues: Queues;
  waitForSendSlot: SendRateGate;
  log: Pick<Logger, 'warn'>;
  /** Where outcomes go: makeOutcomeRecorder, one per process. */
  outcomes: DeferredBatches<DeliveryOutcome>;
  /** This process's id in worker_processes, which its claims carry. */
  claimant: string;
  /** True once the process is shutting down: tokens stop sending and hand over. */
  isStopping(): boolean;
  config: Pick<
    Config,
    'MAIL_FROM' | 'INBOUND_DOMAIN' | 'SECRET_KEY' | 'DELIVERY_MAX_ATTEMPTS' | 'DELIVERY_RETRY_BASE_SECONDS' | 'ERROR_BUDGET' | 'ERROR_BUDGET_MIN_ATTEMPTS' | 'SMTP_POOL_SIZE'
  >;
}

/** How long an outcome may wait for others to share its statement: the window a crash can repeat. */
const OUTCOME_COMMIT_MS = 20;

/**
 * The process's group commit of delivery outcomes. A failed write (Postgres restarting, a connection
 * terminated) is retried until it succeeds: the rows stay this live process's claims meanwhile, and
 * a batch ends only once its outcomes are written (`drain`).
 */
export function makeOutcomeRecorder(db: Database, claimant: string, log: { warn(obj: object, msg: string): void }): DeferredBatches<DeliveryOutcome> {
  return deferredBatches(
    async (outcomes) => {
      for (let attempt = 1; ; attempt++) {
        try {
          await recordDeliveryOutcomes(db, claimant, outcomes);
          return;
        } catch (error) {
          log.warn({ err: error, outcomes: outcomes.length, attempt }, 'recording delivery outcomes failed; retrying');
          await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 100 * 2 ** attempt)));
        }
      }
    },
    { lingerMs: OUTCOME_COMMIT_MS, maxItems: 500 },
  );
}

async function mapWithConcurrency<T, R>(items: T[], limit: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await run(items[index]!);
    }
  });
  await Promise.all(lanes);
  return results;
}

export function makeSendBroadcastBatch(deps: SendBroadcastDeps) {
  const inFlight = Math.max(1, deps.config.SMTP_POOL_SIZE * 2);
  const schedule = retrySchedule(deps.config);
  const errorBudget = { share: deps.config.ERROR_BUDGET, minAttempts: deps.config.ERROR_BUDGET_MIN_ATTEMPTS };
  const mailOptions = { mailFrom: deps.config.MAIL_FROM, inboundDomain: deps.config.INBOUND_DOMAIN, secret: deps.config.SECRET_KEY, links: deps.links };
  const returnPaths = makeReturnPaths(deps.config);
  // A reply and its attachments never change once forwarded: one copy per process, not one per batch.
  const forwardedReplies = new Map<string, Promise<ForwardedReply | undefined>>();
  const forwardedReply = (replyId: string) => {
    let reply = forwardedReplies.get(replyId);
    if (!reply) {
      if (forwardedReplies.size >= 4) forwardedReplies.delete(forwardedReplies.keys().next().value!);
      reply = loadForwardedReply(deps.db, replyId);
      reply.catch(() => forwardedReplies.delete(replyId));
      forwardedReplies.set(replyId, reply);
    }
    return reply;
  };

  // Compiling a letter (Liquid, Markdown, the sanitiser) costs milliseconds, more on a cold process:
  // once per broadcast and process, not once per batch. A broadcast's text cannot change once sent.
  const compiledLetters = new LRUCache<string, { subject: string; body: string; render: LetterRenderer }>({ max: 4 });
  const compiledLetter = (broadcast: BroadcastRow): LetterRenderer => {
    const cached = compiledLetters.get(broadcast.id);
    if (cached && cached.subject === broadcast.subject && cached.body === broadcast.body) return cached.render;
    const render = compileLetter({ subject: broadcast.subject, body: broadcast.body });
    compiledLetters.set(broadcast.id, { subject: broadcast.subject, body: broadcast.body, render });
    return render;
  };

  const queueMail = makeQueueMail(deps.queues);

  async function handOver(data: JobData<'broadcast-send'>, delay: number) {
    const phase = data.phase === 0 ? 1 : 0;
    await deps.queues.add('broadcast-send', 'send', { ...data, phase }, sendTokenId(data.broadcastId, data.slot, phase), { delay });
  }

  async function processBatch(data: JobData<'broadcast-send'>, _job: Job) {
    // A job taken just as the process began shutting down: the successor runs elsewhere.
    if (deps.isStopping()) {
      await handOver(data, 0);
      return { outcome: 'handed over on shutdown' };
    }
    const found = await findBroadcastWithCampaign(deps.db, data.broadcastId);
    // Paused, cancelled, completed or gone: the token simply ends (pause takes effect here).
    if (!found || found.broadcast.status !== 'sending' || found.campaign.deletedAt) return { outcome: 'stopped' };
    const { broadcast, campaign } = found;
    deps.transport.warm();

    const claimedThrough = data.claimedThrough ?? 0;
    let claimed = await claimDeliveryBatch(deps.db, deps.claimant, broadcast.id, BATCH_SIZE, claimedThrough);
    // Nothing due ahead of this token: rows behind it (retries, claims released or taken back from
    // a stopped worker) are claimed from the start. So retries wait for the first pass to finish.
    if (claimed.length === 0 && claimedThrough > 0) claimed = await claimDeliveryBatch(deps.db, deps.claimant, broadcast.id, BATCH_SIZE);
    if (claimed.length === 0) {
      if (!broadcast.planningDone) {
        await handOver(data, WAIT_FOR_PLANNER_MS);
        return { outcome: 'waiting for planner' };
      }
      if (await completeAndTell(deps.db, queueMail, { id: broadcast.id, organiserId: campaign.organiserId })) return { outcome: 'completed' };
      const due = await nextRetryAt(deps.db, broadcast.id);
      if (due) await handOver(data, Math.max(0, due.getTime() - Date.now()));
      return { outcome: due ? 'waiting for retries' : 'others finishing' };
    }
    return sendClaimedBatch(data, broadcast, campaign, claimed);
  }

  async function sendClaimedBatch(
    data: JobData<'broadcast-send'>,
    broadcast: BroadcastRow,
    campaign: CampaignRow,
    claimed: ClaimedDelivery[],
  ) {
    // Independent reads, made together: before the batch's first message, each round trip is a wait.
    const [recipients, reply, organisation] = await Promise.all([
      loadRecipients(deps.db, claimed.map((d) => d.supporterId), campaign.organiserId),
      broadcast.replyId ? forwardedReply(broadcast.replyId) : undefined,
      loadOrganisationIdentity(deps.db, campaign.organiserId),
    ]);
    // The status was read when the batch began (processBatch): the first check need not read it again.
    const currentStatus = statusWatcher(deps.db, broadcast.id, broadcast.status);
    const stoppedOutcome = async (id: number): Promise<DeliveryOutcome | undefined> => {
      const held = holdBack(deps.isStopping(), deps.isStopping() ? 'sending' : await currentStatus());
      return held && { id, ...held };
    };
    const render = compiledLetter(broadcast);
    const organisationFooter = organisationFooterLine(organisation);
    // Letters to the target are dated the day delivery was asked for, so a retry sends the same letter.
    const letterFrame =
      broadcast.audience === 'target'
        ? await loadIndividualLetterFrame(deps.db, campaign, organisation, broadcast.startedAt ?? broadcast.createdAt, (path) => deps.links.appUrl(path))
        : undefined;
    const bounced: string[] = [];

    const attempt = async (delivery: ClaimedDelivery): Promise<DeliveryOutcome> => {
      const recipient = recipients.get(delivery.supporterId);
      const excluded = exclusionOf(recipient, broadcast.audience);
      if (excluded || !recipient) return { id: delivery.id, ...excluded! };
      let mail;
      try {
        mail = letterFrame
          ? composeIndividualLetter(render, broadcast.id, campaign, recipient, mailOptions, letterFrame)
          : withOrganisationFooter(composeBroadcastMail(render, broadcast.id, campaign, recipient, mailOptions, reply), organisationFooter);
      } catch (error) {
        return { id: delivery.id, status: 'failed', response: `could not render: ${(error as Error).message}` };
      }
      // Checked before and after waiting for a rate slot, so pause and cancel take effect
      // mid-batch: the rest of the batch goes back to 'pending', or is skipped.
      // A failure here (Redis or Postgres away) happens before sending: the row simply goes back.
      // No lane may throw, or the outcomes of messages already accepted would not be recorded.
      try {
        let stopped = await stoppedOutcome(delivery.id);
        if (!stopped) {
          await deps.waitForSendSlot();
          stopped = await stoppedOutcome(delivery.id);
        }
        if (stopped) return stopped;
      } catch (error) {
        return { id: delivery.id, status: 'released', response: `not sent yet: ${(error as Error).message}` };
      }
      try {
        const { response } = await deps.transport.send(mail, returnPaths.of({ ledger: 'delivery', id: delivery.id }));
        return { id: delivery.id, status: 'sent', response };
      } catch (error) {
        const failed = outcomeOfFailedSend(error, delivery.attempts, schedule);
        // A refused target address says nothing about the supporter's own address.
        if (failed.status === 'bounced' && broadcast.audience === 'supporters') bounced.push(recipient.email);
        return failed.status === 'retry'
          ? { id: delivery.id, status: 'retry', response: failed.response, retryAt: failed.retryAt }
          : { id: delivery.id, status: failed.status, response: failed.response };
      }
    };

    const outcomes = await mapWithConcurrency(claimed, inFlight, async (delivery) => {
      const outcome = await attempt(delivery);
      deps.outcomes.add([outcome]);
      return outcome;
    });
    // The batch is done only once every outcome is in Postgres.
    await deps.outcomes.drain();

    for (const { id, status, response } of outcomes) {
      if (status === 'failed' || status === 'bounced') deps.log.warn({ broadcastId: broadcast.id, deliveryId: id, status, response }, `broadcast delivery given up (${status})`);
    }
    for (const email of bounced) {
      await addSuppression(deps.db, {
        email,
        organiserId: null,
        reason: 'hard_bounce',
        source: 'smtp',
        campaignId: campaign.id,
        detail: 'refused by the receiving server',
      });
    }

    const reason = errorBudgetExceeded(outcomes, errorBudget);
    if (reason) {
      await pauseAndTell(deps.db, queueMail, { id: broadcast.id, organiserId: campaign.organiserId }, reason);
      return { outcome: 'paused by error budget', reason };
    }

    if (outcomes.some((o) => o.status === 'released')) {
      // Shutting down: another process carries on from here. Paused: resume queues the tokens again.
      if (deps.isStopping()) await handOver(data, 0);
      return { outcome: 'stopped mid-batch', counts: countBy(outcomes) };
    }
    await handOver({ ...data, claimedThrough: Math.max(...claimed.map((d) => d.id)) }, 0);
    return { outcome: 'sent batch', counts: countBy(outcomes) };
  }

  return processBatch;
}

const STATUS_CHECK_EVERY_MS = 250;

/** The broadcast's status, read at most every 250 ms however many messages ask; `known` was read just now. */
function statusWatcher(db: Database, broadcastId: string, known: string): () => Promise<string> {
  let checkedAt = Date.now();
  let status: Promise<string> = Promise.resolve(known);
  return () => {
    if (Date.now() - checkedAt >= STATUS_CHECK_EVERY_MS) {
      checkedAt = Date.now();
      status = findBroadcastStatus(db, broadcastId);
    }
    return status;
  };
}

function countBy(outcomes: DeliveryOutcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const outcome of outcomes) counts[outcome.status] = (counts[outcome.status] ?? 0) + 1;
  return counts;
}
