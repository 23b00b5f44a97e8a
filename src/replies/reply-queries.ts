import { and, desc, eq, inArray, sql } from 'drizzle-orm';
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
