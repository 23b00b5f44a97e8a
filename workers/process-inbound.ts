/**
 * Makes sense of one stored inbound message: a delivery report marks our delivery bounced; anything
 * else sent to a campaign's reply address becomes a reply — authenticated with mailauth (DKIM, SPF,
 * DMARC recorded), trusted only when its sender is allowed and DMARC passed (or the installation
 * does not require DMARC), recorded once per Message-ID, and forwarded or held with its reason.
 */
import { eq, sql } from 'drizzle-orm';
import PostalMime from 'postal-mime';
import type { BroadcastJobs } from '../src/broadcasts/broadcast-jobs.js';
import type { Config } from '../src/config.js';
import type { Database } from '../src/db/client.js';
import { campaigns, deliveries, inboundMessages, supporters, contacts } from '../src/db/schema.js';
import { parseInboundAddress } from '../src/inbound/inbound-address.js';
import type { InboundVerdict } from '../src/metrics/process-metrics.js';
import type { JobData } from '../src/queue/queues.js';
import { automaticReason, isAllowedSender, isDeliveryReport, reportedMessageIds } from '../src/replies/classify-inbound.js';
import { findReplyByMessageId, insertAttachments, insertReplyOnce, markInboundProcessed } from '../src/replies/reply-queries.js';
import { forwardReply } from '../src/replies/reply-service.js';
import { emailHash } from '../src/supporters/email-address.js';
import { addSuppression } from '../src/supporters/supporter-queries.js';
import { markdownToSafeHtml } from '../src/templates/render-template.js';
import { sanitiseReplyHtml } from '../src/replies/reply-html.js';

export interface ProcessInboundDeps {
  db: Database;
  jobs: Pick<BroadcastJobs, 'plan'>;
  config: Pick<Config, 'INBOUND_DOMAIN' | 'INBOUND_REQUIRE_DMARC'>;
  /** DNS for DKIM/SPF/DMARC; the system resolver unless a test supplies records. */
  resolver?: ((name: string, rrtype: string) => Promise<unknown>) | undefined;
}

const BROADCAST_MESSAGE_ID = /^<broadcast\.([0-9a-f-]{36})\.([0-9a-f-]{36})@/;

async function handleDeliveryReport(db: Database, raw: string): Promise<string> {
  const { messageIds, permanent } = reportedMessageIds(raw);
  for (const messageId of messageIds) {
    const match = BROADCAST_MESSAGE_ID.exec(messageId);
    if (!match || !permanent) continue;
    const [broadcastId, supporterId] = [match[1]!, match[2]!];
    await db
      .update(deliveries)
      .set({ status: 'bounced', lastResponse: 'bounced after acceptance (delivery status notification)', updatedAt: sql`now()` })
      .where(sql`${deliveries.broadcastId} = ${broadcastId} AND ${deliveries.supporterId} = ${supporterId}`);
    const [person] = await db
      .select({ email: contacts.email })
      .from(supporters)
      .innerJoin(contacts, eq(contacts.id, supporters.contactId))
      .where(eq(supporters.id, supporterId));
    if (person) await addSuppression(db, { emailHash: emailHash(person.email), organiserId: null, reason: 'hard_bounce', detail: 'delivery status notification' });
    return `delivery report: ${messageId} bounced`;
  }
  return `delivery report: ${permanent ? 'no delivery of ours named' : 'not a permanent failure'}`;
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
  if (email.html) return sanitiseReplyHtml(email.html);
  // Plain text: escaped, paragraphs and line breaks kept (Markdown is not applied to someone else's text).
  return markdownToSafeHtml((email.text ?? '').replace(/[\\`*_{}[\]()#+\-.!|<>&]/g, (c) => `\\${c}`));
}

export function makeProcessInbound(deps: ProcessInboundDeps) {
  return async ({ inboundId }: JobData<'inbound'>) => {
    const [message] = await deps.db.select().from(inboundMessages).where(eq(inboundMessages.id, inboundId));
    if (!message || message.status !== 'received') return { outcome: 'already processed' };
    const raw = message.raw.toString('utf8');

    const finish = async (status: 'processed' | 'failed', outcome: string, verdict: InboundVerdict) => {
      await markInboundProcessed(deps.db, inboundId, status, outcome);
      return { outcome, verdict };
    };

    let email;
    try {
      email = await PostalMime.parse(message.raw);
    } catch (error) {
      email = undefined;
      if (!message.envelopeTo.some((to) => parseInboundAddress(to, deps.config.INBOUND_DOMAIN)?.kind === 'reply')) {
        return finish('failed', `malformed: ${(error as Error).message}`, 'failed');
      }
    }
    if (email && isDeliveryReport(email)) return finish('processed', await handleDeliveryReport(deps.db, raw), 'bounce');

    const token = message.envelopeTo.map((to) => parseInboundAddress(to, deps.config.INBOUND_DOMAIN)).find((a) => a?.kind === 'reply');
    if (!token || token.kind !== 'reply') return finish('processed', 'not addressed to a campaign', 'ignored');
    const [campaign] = await deps.db.select().from(campaigns).where(eq(campaigns.replyToken, token.token));
    if (!campaign || campaign.deletedAt) return finish('failed', 'the campaign no longer exists', 'failed');

    const fromAddress = textOf(email?.from?.address)?.trim().toLowerCase();
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

    // Over HTTP the connecting address is the forwarding MTA's: SPF then reads the newest Received header.
    const viaHttp = message.via === 'http';
    // Loaded on first use: a worker that only sends broadcasts never pays for mailauth's memory.
    const { authenticate } = await import('mailauth');
    const auth = await authenticate(message.raw, {
      ...(viaHttp ? { trustReceived: true } : { ip: message.remoteAddress ?? undefined, helo: message.helo ?? undefined }),
      sender: message.envelopeFrom ?? undefined,
      mta: deps.config.INBOUND_DOMAIN,
      disableArc: true,
      disableBimi: true,
      ...(deps.resolver ? { resolver: deps.resolver } : {}),
    }).catch((error: unknown) => ({ error: String(error) }));
    const dmarc = 'dmarc' in auth && auth.dmarc ? (auth.dmarc.status?.result ?? 'none') : 'none';
    const authentication = JSON.stringify({
      dkim: 'dkim' in auth ? (auth.dkim?.results ?? []).map((r) => r.status?.result ?? 'none') : [],
      spf: 'spf' in auth && auth.spf ? (auth.spf.status?.result ?? 'none') : 'none',
      dmarc,
      ...('error' in auth ? { error: auth.error } : {}),
    });

    // Anything not trusted is held with its reason; nothing is dropped silently.
    const reasons: string[] = [];
    if (!email || !fromAddress) reasons.push('malformed: no readable From address');
    const automatic = email ? automaticReason(email) : undefined;
    if (automatic) reasons.push(`automatic reply (${automatic}), never forwarded`);
    if (fromAddress && !isAllowedSender(fromAddress, campaign.replyAllowedSenders)) reasons.push(`sender ${fromAddress} is not an allowed official sender`);
    if (deps.config.INBOUND_REQUIRE_DMARC && dmarc !== 'pass') reasons.push(`DMARC did not pass (${dmarc})`);
    const trusted = reasons.length === 0;

    const reply = await deps.db.transaction(async (tx) => {
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
        receivedAt: message.createdAt,
      });
      if (row) {
        await insertAttachments(
          tx,
          row.id,
          (email?.attachments ?? []).map((a) => ({
            filename: textOf(a.filename) || 'attachment',
            contentType: textOf(a.mimeType),
            content: Buffer.from(a.content as ArrayBuffer),
          })),
        );
      }
      return row;
    });
    if (!reply) return finish('processed', `duplicate of an earlier reply (${messageId})`, 'duplicate');
    if (trusted && campaign.replyMode === 'auto') {
      const broadcastId = await forwardReply(deps.db, deps.jobs, reply);
      return finish('processed', `reply ${reply.id} trusted and forwarded (broadcast ${broadcastId})`, 'trusted');
    }
    return finish('processed', `reply ${reply.id} ${reply.status}${reply.reason ? `: ${reply.reason}` : ''}`, trusted ? 'trusted' : 'held');
  };
}
