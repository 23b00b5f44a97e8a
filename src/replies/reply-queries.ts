import { and, desc, eq, inArray, isNotNull, isNull, ne, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { campaigns, inboundMessages, replies, replyAttachments } from '../db/schema.js';

export type ReplyRow = typeof replies.$inferSelect;

export async function insertReplyOnce(
  db: Pick<Database, 'insert'>,
  values: typeof replies.$inferInsert,
): Promise<ReplyRow | undefined> {
  const [row] = await db.insert(replies).values(values).onConflictDoNothing().returning();
  return row;
}

export async function findReplyByMessageId(db: Database, campaignId: string, messageId: string): Promise<ReplyRow | undefined> {
  const [row] = await db
    .select()
    .from(replies)
    .where(and(eq(replies.campaignId, campaignId), eq(replies.messageId, messageId)));
  return row;
}

export async function insertAttachments(
  db: Pick<Database, 'insert'>,
  replyId: string,
  attachments: Array<{ filename: string; contentType: string; content: Buffer }>,
): Promise<void> {
  if (attachments.length === 0) return;
  await db.insert(replyAttachments).values(attachments.map((a) => ({ replyId, ...a })));
}

export async function listAttachmentsOf(db: Database, replyId: string) {
  return db.select().from(replyAttachments).where(eq(replyAttachments.replyId, replyId));
}

export async function listAttachmentSummaries(db: Database, replyIds: string[]) {
  if (replyIds.length === 0) return [];
  return db
    .select({
      replyId: replyAttachments.replyId,
      filename: replyAttachments.filename,
      contentType: replyAttachments.contentType,
      size: sql<number>`octet_length(${replyAttachments.content})`,
    })
    .from(replyAttachments)
    .where(inArray(replyAttachments.replyId, replyIds));
}

export async function listCampaignReplies(db: Database, campaignId: string): Promise<ReplyRow[]> {
  return db.select().from(replies).where(eq(replies.campaignId, campaignId)).orderBy(desc(replies.receivedAt)).limit(200);
}

/** One file of a reply, only if the reply's campaign is this organiser's and not deleted. */
export async function findOwnedAttachment(db: Database, organiserId: string, attachmentId: string) {
  const [row] = await db
    .select({ filename: replyAttachments.filename, contentType: replyAttachments.contentType, content: replyAttachments.content })
    .from(replyAttachments)
    .innerJoin(replies, eq(replies.id, replyAttachments.replyId))
    .innerJoin(campaigns, eq(campaigns.id, replies.campaignId))
    .where(and(eq(replyAttachments.id, attachmentId), eq(campaigns.organiserId, organiserId), isNull(campaigns.deletedAt)));
  return row;
}

export async function findOwnedReply(db: Database, organiserId: string, replyId: string) {
  const [row] = await db
    .select({ reply: replies, campaign: campaigns })
    .from(replies)
    .innerJoin(campaigns, eq(campaigns.id, replies.campaignId))
    .where(and(eq(replies.id, replyId), eq(campaigns.organiserId, organiserId)));
  return row;
}

/** The reply most recently forwarded for a campaign: shown on its page and sent to late confirmers. */
export async function findForwardedReply(db: Database, campaignId: string): Promise<ReplyRow | undefined> {
  const [row] = await db
    .select()
    .from(replies)
    .where(and(eq(replies.campaignId, campaignId), eq(replies.status, 'forwarded')))
    .orderBy(desc(replies.receivedAt))
    .limit(1);
  return row;
}

export async function findReply(db: Database, replyId: string): Promise<ReplyRow | undefined> {
  const [row] = await db.select().from(replies).where(eq(replies.id, replyId));
  return row;
}

export async function markInboundProcessed(db: Database, id: string, status: 'processed' | 'failed', outcome: string) {
  await db
    .update(inboundMessages)
    .set({ status, outcome: outcome.slice(0, 2000), processedAt: sql`now()` })
    .where(eq(inboundMessages.id, id));
}

/** Stored messages not yet processed, once older than `olderThanSeconds` (their own job had its chance). */
export async function listUnprocessedInbound(db: Database, olderThanSeconds: number): Promise<string[]> {
  const rows = await db
    .select({ id: inboundMessages.id })
    .from(inboundMessages)
    .where(
      and(
        eq(inboundMessages.status, 'received'),
        sql`${inboundMessages.createdAt} < now() - make_interval(secs => ${olderThanSeconds})`,
      ),
    )
    .limit(1_000);
  return rows.map((row) => row.id);
}

/**
 * Deletes the raw bytes of finished messages received more than `retentionDays` ago, one batch a
 * call (the sweep calls it every interval). The row (its outcome, size and campaign) and any reply
 * made from it stay. Uses inbound_messages_raw_kept_idx, which holds only rows still to delete.
 */
export async function deleteExpiredInboundRaw(db: Database, retentionDays: number, batchSize = 500): Promise<number> {
  const expired = db
    .select({ id: inboundMessages.id })
    .from(inboundMessages)
    .where(
      and(
        isNotNull(inboundMessages.raw),
        ne(inboundMessages.status, 'received'),
        sql`${inboundMessages.createdAt} < now() - make_interval(days => ${retentionDays})`,
      ),
    )
    .limit(batchSize);
  const deleted = await db
    .update(inboundMessages)
    .set({ raw: null, size: sql`coalesce(${inboundMessages.size}, octet_length(${inboundMessages.raw}))` })
    .where(inArray(inboundMessages.id, expired))
    .returning({ id: inboundMessages.id });
  return deleted.length;
}

/** Mail received at a campaign's reply address and what became of it, newest first. */
export async function listCampaignInbound(db: Database, campaignId: string) {
  return db
    .select({
      id: inboundMessages.id,
      via: inboundMessages.via,
      envelopeFrom: inboundMessages.envelopeFrom,
      status: inboundMessages.status,
      outcome: inboundMessages.outcome,
      attempts: inboundMessages.attempts,
      size: sql<number>`coalesce(${inboundMessages.size}, octet_length(${inboundMessages.raw}))`.mapWith(Number),
      rawKept: sql<boolean>`${inboundMessages.raw} IS NOT NULL`,
      receivedAt: inboundMessages.createdAt,
      processedAt: inboundMessages.processedAt,
    })
    .from(inboundMessages)
    .where(eq(inboundMessages.campaignId, campaignId))
    .orderBy(desc(inboundMessages.createdAt))
    .limit(200);
}
