/**
 * Forwarding an official reply: a `reply` broadcast to the campaign's audience whose template is a
 * personalised introduction; the reply itself (text, sanitised HTML, attachments) is appended to
 * every message as received, never interpreted as a template. Auto-forwarded when trusted and the
 * campaign's policy is `auto`; otherwise the organiser approves or rejects it.
 */
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { BroadcastJobs } from '../broadcasts/broadcast-jobs.js';
import type { Database } from '../db/client.js';
import { broadcasts, replies } from '../db/schema.js';
import { NotFoundError, StateError } from '../errors.js';
import { randomUUID } from 'node:crypto';
import sanitizeHtml from 'sanitize-html';
import { markdownToSafeHtml } from '../templates/render-template.js';
import { findOwnedReply, findReply, insertAttachments, insertReplyOnce, type ReplyRow } from './reply-queries.js';
import { sanitiseReplyHtml } from './reply-html.js';
import { sortAttachments, type AttachmentLimits } from './attachment-policy.js';
import { introductionOf } from './reply-attribution.js';

export const REPLY_SUBJECT_TEMPLATE = 'The reply to “{{ campaign.title }}”';

/** What the organiser may set when approving: who wrote (as supporters are told) and the introduction. */
export interface ApprovalEdits {
  author?: string | undefined;
  introduction?: string | undefined;
}

/**
 * Starts the broadcast of a reply and marks it forwarded, in one transaction, once however often it
 * is asked: the reply row is claimed first with a conditional UPDATE, so of two forwards at once (an
 * organiser's double approval, an inbound job run again while its first run still goes on) the
 * second waits for the first to commit, finds the row taken and starts nothing. Returns the id of
 * the reply's broadcast, whoever started it; a reply rejected meanwhile is a StateError.
 */
export async function forwardReply(
  db: Database,
  jobs: Pick<BroadcastJobs, 'plan'>,
  reply: ReplyRow,
  /** Set when a person approved it (userId null: with an API key); absent when forwarded by the policy. */
  decision?: { userId: string | null },
): Promise<string> {
  const started = await db.transaction(async (tx) => {
    const [claimed] = await tx
      .update(replies)
      .set({ status: 'forwarded', updatedAt: sql`now()`, ...(decision ? { decidedAt: sql`now()`, decidedByUserId: decision.userId } : {}) })
      .where(and(eq(replies.id, reply.id), isNull(replies.broadcastId), inArray(replies.status, ['held', 'awaiting_approval'])))
      .returning();
    if (!claimed) return undefined;
    const [broadcast] = await tx
      .insert(broadcasts)
      .values({
        campaignId: reply.campaignId,
        kind: 'reply',
        subject: REPLY_SUBJECT_TEMPLATE,
        // As the claimed row has it: the organiser's edits made with the approval included.
        body: introductionOf(claimed),
        replyId: reply.id,
        status: 'sending',
        startedAt: new Date(),
        startedByUserId: decision?.userId ?? null,
      })
      .returning({ id: broadcasts.id });
    await tx.update(replies).set({ broadcastId: broadcast!.id }).where(eq(replies.id, reply.id));
    return broadcast!.id;
  });
  if (started) {
    await jobs.plan(started);
    return started;
  }
  const current = await findReply(db, reply.id);
  if (!current?.broadcastId) throw new StateError('invalid_transition', `This reply is already ${current?.status ?? 'gone'}`, 'status');
  return current.broadcastId;
}

export async function decideOnReply(
  deps: { db: Database; jobs: Pick<BroadcastJobs, 'plan'> },
  organiserId: string,
  replyId: string,
  decision: 'approve' | 'reject',
  edits: ApprovalEdits = {},
  /** The web app user deciding, recorded with the decision; absent: an API key. */
  actor?: { userId: string },
): Promise<ReplyRow> {
  const decidedBy = { userId: actor?.userId ?? null };
  const found = await findOwnedReply(deps.db, organiserId, replyId);
  if (!found || found.campaign.deletedAt) throw new NotFoundError('Reply not found');
  const { reply } = found;
  if (reply.status !== 'held' && reply.status !== 'awaiting_approval') {
    throw new StateError('invalid_transition', `This reply is already ${reply.status}`, 'status');
  }
  if (decision === 'approve') {
    const changes = {
      ...(edits.author !== undefined ? { author: edits.author } : {}),
      ...(edits.introduction !== undefined ? { introduction: edits.introduction } : {}),
    };
    if (Object.keys(changes).length > 0) {
      // Only while undecided: edits never reach a reply already forwarded or rejected.
      await deps.db
        .update(replies)
        .set({ ...changes, updatedAt: sql`now()` })
        .where(and(eq(replies.id, reply.id), isNull(replies.broadcastId), inArray(replies.status, ['held', 'awaiting_approval'])));
    }
    await forwardReply(deps.db, deps.jobs, reply, decidedBy);
  } else {
    // Conditional like forwardReply's claim: an approval that won a race is not overwritten.
    const [rejected] = await deps.db
      .update(replies)
      .set({ status: 'rejected', updatedAt: sql`now()`, decidedAt: sql`now()`, decidedByUserId: decidedBy.userId })
      .where(and(eq(replies.id, reply.id), isNull(replies.broadcastId), inArray(replies.status, ['held', 'awaiting_approval'])))
      .returning({ id: replies.id });
    if (!rejected) throw new StateError('invalid_transition', 'This reply was decided on meanwhile', 'status');
  }
  return (await findOwnedReply(deps.db, organiserId, replyId))!.reply;
}

export interface ManualReply {
  fromAddress: string;
  fromName?: string | undefined;
  subject: string;
  body: string;
  format: 'markdown' | 'html';
  receivedAt?: Date | undefined;
  attachments: Array<{ filename: string; contentType: string; content: Buffer }>;
  /** The web app user who typed it in; absent: an API key. */
  enteredByUserId?: string | undefined;
}

/**
 * A reply that came by post, typed in by the organiser: trusted (the organiser vouches for it), and
 * forwarded at once when the campaign's policy is `auto`, otherwise awaiting their approval.
 */
export async function recordManualReply(
  deps: { db: Database; jobs: Pick<BroadcastJobs, 'plan'> },
  campaign: { id: string; replyMode: 'auto' | 'approve' },
  input: ManualReply,
  options: { inboundDomain: string; attachmentLimits: AttachmentLimits },
): Promise<ReplyRow> {
  // The organiser's files go to every supporter too: the same documents-and-images rule applies.
  const { forwarded, withheld } = await sortAttachments(input.attachments, options.attachmentLimits);
  const html = input.format === 'html' ? sanitiseReplyHtml(input.body) : markdownToSafeHtml(input.body);
  const text = input.format === 'html' ? sanitizeHtml(input.body, { allowedTags: [], allowedAttributes: {} }).trim() : input.body;
  const reply = await deps.db.transaction(async (tx) => {
    const row = await insertReplyOnce(tx, {
      campaignId: campaign.id,
      messageId: `<manual.${randomUUID()}@${options.inboundDomain}>`,
      fromAddress: input.fromAddress,
      fromName: input.fromName ?? null,
      subject: input.subject,
      text,
      html,
      trusted: true,
      status: 'awaiting_approval',
      reason: campaign.replyMode === 'auto' ? null : 'the campaign forwards replies after approval',
      authentication: JSON.stringify({ entered: 'by the organiser' }),
      withheldAttachments: withheld,
      receivedAt: input.receivedAt ?? new Date(),
      // The date the organiser typed is the one on the letter.
      datedAt: input.receivedAt ?? null,
      enteredByUserId: input.enteredByUserId ?? null,
    });
    await insertAttachments(tx, row!.id, forwarded);
    return row!;
  });
  if (campaign.replyMode === 'auto') await forwardReply(deps.db, deps.jobs, reply);
  return (await findReply(deps.db, reply.id))!;
}
