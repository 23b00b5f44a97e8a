/** The reply content carried in mail: as received, with its files. */
import { eq } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { broadcasts } from '../db/schema.js';
import { findForwardedReply, findReply, listAttachmentsOf, type ReplyRow } from './reply-queries.js';

/** An official reply carried under the personalised introduction, as received (text, safe HTML, files). */
export interface ForwardedReply {
  text: string;
  html: string;
  attachments: Array<{ filename: string; content: Buffer; contentType: string }>;
}

async function withAttachments(db: Database, reply: ReplyRow): Promise<ForwardedReply> {
  const attachments = await listAttachmentsOf(db, reply.id);
  return {
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
