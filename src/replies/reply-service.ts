/**
 * Forwarding an official reply: a `reply` broadcast to the campaign's audience whose template is a
 * personalised introduction; the reply itself (text, sanitised HTML, attachments) is appended to
 * every message as received, never interpreted as a template. Auto-forwarded when trusted and the
 * campaign's policy is `auto`; otherwise the organiser approves or rejects it.
 */
import { eq, sql } from 'drizzle-orm';
import type { BroadcastJobs } from '../broadcasts/broadcast-jobs.js';
import type { Database } from '../db/client.js';
import { broadcasts, replies } from '../db/schema.js';
import { NotFoundError, StateError } from '../errors.js';
import { findOwnedReply, type ReplyRow } from './reply-queries.js';

export const REPLY_SUBJECT_TEMPLATE = 'The reply from {{ campaign.target.name }}';
export const REPLY_INTRO_TEMPLATE =
  'Dear {{ supporter.first_name }},\n\n{{ campaign.target.name }} has replied to the letter you supported on {{ signed_at }}. The reply follows.';

/** Starts the broadcast of a reply and marks it forwarded, in one transaction. */
export async function forwardReply(db: Database, jobs: Pick<BroadcastJobs, 'plan'>, reply: ReplyRow): Promise<string> {
  const broadcastId = await db.transaction(async (tx) => {
    const [broadcast] = await tx
      .insert(broadcasts)
      .values({
        campaignId: reply.campaignId,
        kind: 'reply',
        subject: REPLY_SUBJECT_TEMPLATE,
        body: REPLY_INTRO_TEMPLATE,
        replyId: reply.id,
        status: 'sending',
        startedAt: new Date(),
      })
      .returning({ id: broadcasts.id });
    await tx
      .update(replies)
      .set({ status: 'forwarded', broadcastId: broadcast!.id, updatedAt: sql`now()` })
      .where(eq(replies.id, reply.id));
    return broadcast!.id;
  });
  await jobs.plan(broadcastId);
  return broadcastId;
}

export async function decideOnReply(
  deps: { db: Database; jobs: Pick<BroadcastJobs, 'plan'> },
  organiserId: string,
  replyId: string,
  decision: 'approve' | 'reject',
): Promise<ReplyRow> {
  const found = await findOwnedReply(deps.db, organiserId, replyId);
  if (!found || found.campaign.deletedAt) throw new NotFoundError('Reply not found');
  const { reply } = found;
  if (reply.status !== 'held' && reply.status !== 'awaiting_approval') {
    throw new StateError('invalid_transition', `This reply is already ${reply.status}`, 'status');
  }
  if (decision === 'approve') {
    await forwardReply(deps.db, deps.jobs, reply);
  } else {
    await deps.db.update(replies).set({ status: 'rejected', updatedAt: sql`now()` }).where(eq(replies.id, reply.id));
  }
  return (await findOwnedReply(deps.db, organiserId, replyId))!.reply;
}
