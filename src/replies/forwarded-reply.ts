/** The reply content carried in mail: as received, with its files. */
import { eq } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { broadcasts } from '../db/schema.js';
import { formatLetterDate } from '../templates/merge-fields.js';
import { replyAuthor, replyDate } from './reply-attribution.js';
import { html, trustedHtml, type SafeHtml } from '../web/html.js';
import { findForwardedReply, findReply, listAttachmentsOf, type ReplyRow } from './reply-queries.js';

/** An official reply carried under the personalised introduction, as received (text, safe HTML, files). */
export interface ForwardedReply {
  /** Who wrote and the letter's date, shown above it: "Conflict Department <…@fco.gov.uk>, 17 June 2014". */
  byline: string;
  /** Who wrote (see reply-attribution.ts) and the letter's own date, "17 June 2014". */
  author: string;
  date: string;
  text: string;
  html: string;
  attachments: Array<{ filename: string; content: Buffer; contentType: string }>;
}

/** The reply as it appears under an introduction: its byline, then the letter as received. */
export function forwardedReplyHtml(reply: ForwardedReply): SafeHtml {
  const attached = reply.attachments.map((a) => a.filename).join(', ');
  return html`<p style="font-family:Arial,sans-serif;font-size:13px;color:#555;margin:24px 0 8px">${reply.byline}${attached ? html`<br>Attached: ${attached}` : ''}</p>
<div style="border-left:3px solid #14508c;padding-left:16px;margin:0 0 24px">${trustedHtml(reply.html)}</div>`;
}

/** "Conflict Department <conflict.department@fco.gov.uk>, 17 June 2014": who wrote, from where, and when. */
export function replyByline(reply: ReplyRow): string {
  const author = replyAuthor(reply);
  const from = author === reply.fromAddress ? author : `${author} <${reply.fromAddress}>`;
  return `${from}, ${formatLetterDate(replyDate(reply))}`;
}

async function withAttachments(db: Database, reply: ReplyRow): Promise<ForwardedReply> {
  const attachments = await listAttachmentsOf(db, reply.id);
  return {
    byline: replyByline(reply),
    author: replyAuthor(reply),
    date: formatLetterDate(replyDate(reply)),
    text: reply.text,
    html: reply.html,
    attachments: attachments.map((a) => ({ filename: a.filename, content: a.content, contentType: a.contentType })),
  };
}

export async function loadForwardedReply(db: Database, replyId: string): Promise<ForwardedReply | undefined> {
  const reply = await findReply(db, replyId);
  return reply ? withAttachments(db, reply) : undefined;
}

/**
 * The reply a supporter confirming at `confirmedAt` would otherwise miss: one forwarded by a broadcast
 * that started before they confirmed (its audience was fixed without them).
 */
export async function replyMissedBy(db: Database, campaignId: string, confirmedAt: Date): Promise<ForwardedReply | undefined> {
  const reply = await findForwardedReply(db, campaignId);
  if (!reply?.broadcastId) return undefined;
  const [broadcast] = await db.select({ startedAt: broadcasts.startedAt }).from(broadcasts).where(eq(broadcasts.id, reply.broadcastId));
  if (!broadcast?.startedAt || broadcast.startedAt.getTime() >= confirmedAt.getTime()) return undefined;
  return withAttachments(db, reply);
}
