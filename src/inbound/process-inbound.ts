/**
 * Makes sense of one stored inbound message: a report sent to a return path is acted on for the row
 * it names (src/bounces/process-report.ts); anything
 * else sent to a campaign's reply address becomes a reply — authenticated with mailauth (DKIM, SPF,
 * DMARC recorded), trusted only when its sender is allowed and DMARC passed (or the installation
 * does not require DMARC), recorded once per Message-ID, and forwarded or held with its reason.
 * The sender is the From address DMARC evaluated, read as one plain mailbox (sender-identity.ts).
 */
import { and, eq, sql } from 'drizzle-orm';
import type { BroadcastJobs } from '../broadcasts/broadcast-jobs.js';
import type { Config } from '../config.js';
import type { Database } from '../db/client.js';
import { campaigns, inboundMessages } from '../db/schema.js';
import { parseInboundAddress } from './inbound-address.js';
import type { InboundVerdict } from '../metrics/process-metrics.js';
import type { JobData } from '../queue/queues.js';
import { automaticReason, isAllowedSender, isDeliveryReport, reasonsToHold } from '../replies/classify-inbound.js';
import { findReplyByMessageId, insertAttachments, insertReplyOnce, markInboundProcessed } from '../replies/reply-queries.js';
import { forwardReply } from '../replies/reply-service.js';
import { readSenderIdentity } from '../replies/sender-identity.js';
import { processReport, returnPathRowOf, type ProcessReportDeps } from '../bounces/process-report.js';
import { plainTextToSafeHtml, sanitiseReplyHtml } from '../replies/reply-html.js';
import { sortAttachments } from '../replies/attachment-policy.js';
import { describeFailure } from '../infra/safe-errors.js';
import { recordReplyArrived } from '../notifications/record-notification.js';
import type { QueueMail } from '../notifications/queue-notifications.js';
import { letterDateOf } from '../replies/reply-attribution.js';

export interface ProcessInboundDeps {
  db: Database;
  jobs: Pick<BroadcastJobs, 'plan'>;
  config: Pick<Config, 'INBOUND_REQUIRE_DMARC' | 'INBOUND_MAX_ATTEMPTS' | 'INBOUND_MAX_ATTACHMENTS' | 'INBOUND_MAX_ATTACHMENT_BYTES'> & ProcessReportDeps['config'];
  /** Queues the organiser's "a reply arrived" mail at once; without it, the sweep sends it within a minute. */
  queueMail?: QueueMail | undefined;
  /** DNS for DKIM/SPF/DMARC; the system resolver unless a test supplies records. */
  resolver?: ((name: string, rrtype: string) => Promise<unknown>) | undefined;
}

/**
 * Mail may carry NUL characters (raw, or encoded in a header or body); Postgres text cannot hold
 * them, and the insert would fail on every retry, leaving the message unprocessed for ever. They
 * carry no meaning in text, so they are dropped.
 */
function textOf<T extends string | null | undefined>(value: T): T {
  return (typeof value === 'string' ? value.replaceAll('\u0000', '') : value) as T;
}

function safeHtmlOf(email: { html?: string | undefined; text?: string | undefined }): string {
  return email.html ? sanitiseReplyHtml(email.html) : plainTextToSafeHtml(email.text ?? '');
}

/**
 * Begins an attempt at a stored message: counts it in Postgres (a crash mid-attempt counts too) and
 * notes the campaign it was sent to, so the organiser can see it whatever becomes of it.
 */
async function beginAttempt(deps: ProcessInboundDeps, inboundId: string) {
  const [message] = await deps.db.select().from(inboundMessages).where(eq(inboundMessages.id, inboundId));
  if (!message || message.status !== 'received') return undefined;
  const address = message.envelopeTo.map((to) => parseInboundAddress(to, deps.config.INBOUND_DOMAIN)).find((a) => a?.kind === 'reply');
  const campaignId =
    address?.kind === 'reply' ? sql`(SELECT ${campaigns.id} FROM ${campaigns} WHERE ${campaigns.replyToken} = ${address.token})` : sql`NULL`;
  const [counted] = await deps.db
    .update(inboundMessages)
    .set({ attempts: sql`${inboundMessages.attempts} + 1`, campaignId: sql`coalesce(${inboundMessages.campaignId}, ${campaignId})` })
    .where(and(eq(inboundMessages.id, inboundId), eq(inboundMessages.status, 'received')))
    .returning({ attempts: inboundMessages.attempts });
  return counted ? { message, attempt: counted.attempts } : undefined;
}

/**
 * A message no attempt could process (the poison message: one whose insert broke a Postgres limit
 * failed every attempt, and the sweep queued it again for ever) ends as `failed`, with the reason,
 * after INBOUND_MAX_ATTEMPTS attempts; the sweep queues only `received` messages.
 */
export function makeProcessInbound(deps: ProcessInboundDeps) {
  const processMessage = makeProcessMessage(deps);
  return async ({ inboundId }: JobData<'inbound'>) => {
    const begun = await beginAttempt(deps, inboundId);
    if (!begun) return { outcome: 'already processed' };
    const { message, attempt } = begun;
    const maxAttempts = deps.config.INBOUND_MAX_ATTEMPTS;
    if (attempt > maxAttempts) {
      // Earlier attempts ended without recording their failure (the process died): this one does not start.
      const outcome = `failed: could not be processed in ${maxAttempts} attempts (the last ones ended without an answer)`;
      await markInboundProcessed(deps.db, inboundId, 'failed', outcome);
      return { outcome };
    }
    try {
      return await processMessage(message);
    } catch (error) {
      const reason = describeFailure(error);
      if (attempt < maxAttempts) {
        await deps.db.update(inboundMessages).set({ outcome: `attempt ${attempt} of ${maxAttempts} failed: ${reason}`.slice(0, 2000) }).where(eq(inboundMessages.id, inboundId));
        throw error;
      }
      const outcome = `failed: could not be processed in ${maxAttempts} attempts: ${reason}`;
      await markInboundProcessed(deps.db, inboundId, 'failed', outcome);
      return { outcome };
    }
  };
}

function makeProcessMessage(deps: ProcessInboundDeps) {
  return async (message: typeof inboundMessages.$inferSelect) => {
    const inboundId = message.id;
    if (!message.raw) return { outcome: 'already processed' };

    const finish = async (status: 'processed' | 'failed', outcome: string, verdict: InboundVerdict) => {
      await markInboundProcessed(deps.db, inboundId, status, outcome);
      return { outcome, verdict };
    };

    // Loaded on first use, outside the try: a missing module is an error of ours, not of the message.
    const { default: PostalMime } = await import('postal-mime');
    let email;
    try {
      email = await PostalMime.parse(message.raw);
    } catch (error) {
      email = undefined;
      if (!message.envelopeTo.some((to) => parseInboundAddress(to, deps.config.INBOUND_DOMAIN)?.kind === 'reply')) {
        return finish('failed', `malformed: ${(error as Error).message}`, 'failed');
      }
    }
    // Reports are read only at a return path, whose token names the one row they may act on.
    const reported = returnPathRowOf(message.envelopeTo, deps.config);
    if (reported && email) {
      const { outcome, verdict, report } = await processReport(deps, inboundId, reported, email);
      await markInboundProcessed(deps.db, inboundId, 'processed', outcome);
      return { outcome, verdict, report };
    }
    if (email && isDeliveryReport(email)) return finish('processed', 'a delivery report sent to a reply address: not acted on', 'ignored');

    const token = message.envelopeTo.map((to) => parseInboundAddress(to, deps.config.INBOUND_DOMAIN)).find((a) => a?.kind === 'reply');
    if (!token || token.kind !== 'reply') return finish('processed', 'not addressed to a campaign', 'ignored');
    const [campaign] = await deps.db.select().from(campaigns).where(eq(campaigns.replyToken, token.token));
    if (!campaign || campaign.deletedAt) return finish('failed', 'the campaign no longer exists', 'failed');

    const messageId = textOf(email?.messageId)?.trim() || `<inbound.${inboundId}@${deps.config.INBOUND_DOMAIN}>`;
    const earlier = await findReplyByMessageId(deps.db, campaign.id, messageId);
    if (earlier) {
      // A retry after a crash between recording and forwarding finishes the forward; otherwise a duplicate.
      if (earlier.trusted && campaign.replyMode === 'auto' && earlier.status === 'awaiting_approval' && !earlier.broadcastId) {
        await forwardReply(deps.db, deps.jobs, earlier);
        return finish('processed', `reply ${earlier.id} trusted and forwarded`, 'trusted');
      }
      return finish('processed', `duplicate of an earlier reply (${messageId})`, 'duplicate');
    }

    // SPF is decided from the SMTP client's address: the listener's own connection, or the one a signed
    // HTTP hand-over states. Never from Received headers, which whoever wrote the message wrote too.
    // Loaded on first use (like postal-mime): a worker that only sends broadcasts never pays for mailauth's memory.
    const { authenticate } = await import('mailauth');
    const auth = await authenticate(message.raw, {
      ...(message.remoteAddress ? { ip: message.remoteAddress } : {}),
      ...(message.helo ? { helo: message.helo } : {}),
      sender: message.envelopeFrom ?? undefined,
      mta: deps.config.INBOUND_DOMAIN,
      disableArc: true,
      disableBimi: true,
      ...(deps.resolver ? { resolver: deps.resolver } : {}),
    }).catch((error: unknown) => ({ error: String(error) }));
    const dmarc = 'dmarc' in auth && auth.dmarc ? (auth.dmarc.status?.result ?? 'none') : 'none';
    const dmarcFrom = 'dkim' in auth ? auth.dkim?.headerFrom : undefined;
    const dkimResults = 'dkim' in auth ? (auth.dkim?.results ?? []) : [];
    const checks = {
      dkim: dkimResults.map((r) => r.status?.result ?? 'none'),
      // Which domain signed, beside each result: a pass for the sender's own domain is the evidence.
      dkimSignatures: dkimResults.map((r) => ({
        result: r.status?.result ?? 'none',
        domain: typeof r.signingDomain === 'string' ? r.signingDomain : null,
        aligned: typeof r.status?.aligned === 'string' ? r.status.aligned : null,
      })),
      // Without a client address mailauth still reports "neutral"; say plainly that nothing was checked.
      spf: !message.remoteAddress ? 'not checked' : 'spf' in auth && auth.spf ? (auth.spf.status?.result ?? 'none') : 'none',
      dmarc,
      // The From address(es) DMARC read: the identity trust is decided on.
      headerFrom: dmarcFrom ?? [],
      ...('error' in auth ? { error: auth.error } : {}),
    };
    const identity = readSenderIdentity(message.raw, dmarcFrom, textOf(email?.from?.address));
    // What the organiser sees as the sender of a held reply: what DMARC read, when it read one address.
    const fromAddress = textOf(identity.ok ? identity.address : (dmarcFrom?.length === 1 ? dmarcFrom[0] : email?.from?.address))?.trim().toLowerCase();
    // Kept with the results: the allowed senders may change later, the evidence of this decision must not.
    const authentication = JSON.stringify({
      ...checks,
      allowedSender: identity.ok ? isAllowedSender(identity.address, campaign.replyAllowedSenders) : false,
    });

    // Anything not trusted is held with its reason; nothing is dropped silently.
    const reasons = reasonsToHold({
      hasFromAddress: Boolean(email?.from?.address),
      identity: identity.ok ? identity : { ok: false, reason: textOf(identity.reason) },
      automatic: email ? automaticReason(email) : undefined,
      allowedSenders: campaign.replyAllowedSenders,
      dmarc,
      requireDmarc: deps.config.INBOUND_REQUIRE_DMARC,
    });
    const trusted = reasons.length === 0;

    const { forwarded, withheld } = await sortAttachments(
      (email?.attachments ?? []).map((a) => ({
        filename: textOf(a.filename) || 'attachment',
        contentType: textOf(a.mimeType),
        content: Buffer.from(a.content as ArrayBuffer),
      })),
      { maxCount: deps.config.INBOUND_MAX_ATTACHMENTS, maxTotalBytes: deps.config.INBOUND_MAX_ATTACHMENT_BYTES },
    );
    const recorded = await deps.db.transaction(async (tx) => {
      const row = await insertReplyOnce(tx, {
        campaignId: campaign.id,
        inboundMessageId: inboundId,
        messageId,
        fromAddress: fromAddress ?? message.envelopeFrom ?? 'unknown',
        fromName: textOf(email?.from?.name) || null,
        subject: textOf(email?.subject)?.trim() || '(no subject)',
        text: textOf(email?.text) ?? '',
        html: email ? textOf(safeHtmlOf(email)) : '',
        trusted,
        // Forwarded only by forwardReply, together with its broadcast.
        status: trusted ? 'awaiting_approval' : 'held',
        reason: trusted ? (campaign.replyMode === 'auto' ? null : 'the campaign forwards replies after approval') : reasons.join('; '),
        authentication,
        withheldAttachments: withheld,
        receivedAt: message.createdAt,
        datedAt: letterDateOf(textOf(email?.date), message.createdAt),
      });
      if (!row) return undefined;
      await insertAttachments(tx, row.id, forwarded);
      return { row, notifications: await recordReplyArrived(tx, campaign.organiserId, row.id) };
    });
    if (!recorded) return finish('processed', `duplicate of an earlier reply (${messageId})`, 'duplicate');
    const { row: reply, notifications } = recorded;
    // Queued once the reply is forwarded (or held), so the mail says what became of it.
    const tell = () => deps.queueMail?.(notifications);
    if (trusted && campaign.replyMode === 'auto') {
      const broadcastId = await forwardReply(deps.db, deps.jobs, reply);
      await tell();
      return finish('processed', `reply ${reply.id} trusted and forwarded (broadcast ${broadcastId})`, 'trusted');
    }
    await tell();
    return finish('processed', `reply ${reply.id} ${reply.status}${reply.reason ? `: ${reply.reason}` : ''}`, trusted ? 'trusted' : 'held');
  };
}
