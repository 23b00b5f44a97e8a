/**
 * The rules of a campaign's life: draft → open (published) → closed, what may still change once
 * supporters have seen the letter, and when it may be deleted. No HTTP here: errors are AppErrors.
 */
import { randomBytes } from 'node:crypto';
import type { Database, Executor } from '../db/client.js';
import { isUniqueViolation } from '../db/errors.js';
import type { CampaignRow } from '../db/schema.js';
import { ConflictError, NotFoundError, StateError, ValidationError } from '../errors.js';
import { assertValidTemplates } from '../templates/assert-valid-templates.js';
import { decodeCursor, encodeCursor } from '../http/keyset-cursor.js';
import {
  AUTO_NEEDS_SENDERS,
  autoNeedsSenders,
  type CreateCampaignInput,
  type UpdateCampaignInput,
} from './campaign-schemas.js';
import {
  claimCampaignSlug,
  findOwnedCampaign,
  insertCampaign,
  isSlugLive,
  releaseUnusedSlug,
  listOwnedCampaigns,
  cancelCampaignBroadcasts,
  markCampaignDeleted,
  transitionOwnedCampaign,
  updateOwnedCampaign,
  type CampaignStatus,
  type NewCampaignRow,
} from './campaign-queries.js';

export interface CampaignServiceDeps {
  db: Database;
  /**
   * Asks a worker to purge a deleted campaign. Must not throw: the deletion is already committed,
   * and the worker's sweep purges any deleted campaign whose job was lost.
   */
  requestPurge(campaignId: string): Promise<void>;
}

/**
 * Once a campaign is published people sign *this* letter to *this* target at *this* address:
 * changing any of them afterwards would change what they put their name to.
 */
export const LOCKED_ONCE_PUBLISHED = ['slug', 'letter', 'target'] as const;
const DELETABLE: CampaignStatus[] = ['draft', 'closed'];

function newReplyToken(): string {
  // 80 bits, lower-case: local parts are often case-folded by mail software on the way back.
  return randomBytes(10).toString('hex');
}

function slugTaken(): ConflictError {
  return new ConflictError('slug_taken', 'Another campaign already uses this slug', 'slug');
}

/** Throws unless the slug is new or already this organiser's; run in the transaction that uses it. */
async function assertSlugClaimed(db: Executor, organiserId: string, slug: string): Promise<void> {
  if (await claimCampaignSlug(db, organiserId, slug)) return;
  if (await isSlugLive(db, slug)) throw slugTaken();
  throw new ConflictError(
    'slug_reserved',
    'This slug belonged to a campaign that was deleted; links to it may still be out there, so it stays reserved: choose another',
    'slug',
  );
}

export async function createCampaign(
  deps: CampaignServiceDeps,
  organiserId: string,
  input: CreateCampaignInput,
): Promise<CampaignRow> {
  assertValidTemplates(input.letter, 'letter.');
  try {
    return await deps.db.transaction(async (tx) => {
      await assertSlugClaimed(tx, organiserId, input.slug);
      return insertCampaign(tx, {
        organiserId,
        slug: input.slug,
        title: input.title,
        summary: input.summary ?? null,
        letterSubject: input.letter.subject,
        letterBody: input.letter.body,
        targetName: input.target.name,
        targetEmail: input.target.email,
        targetAddress: input.target.address ?? null,
        senderName: input.sender.name,
        senderEmail: input.sender.email,
        replyMode: input.replyPolicy.mode,
        replyAllowedSenders: input.replyPolicy.allowedSenders,
        replyToken: newReplyToken(),
        ...(input.consentStatement ? { consentStatement: input.consentStatement } : {}),
      });
    });
  } catch (error) {
    if (isUniqueViolation(error, 'campaigns_slug_key')) throw slugTaken();
    throw error;
  }
}

export async function getCampaign(deps: CampaignServiceDeps, organiserId: string, campaignId: string) {
  const campaign = await findOwnedCampaign(deps.db, organiserId, campaignId);
  if (!campaign) throw campaignNotFound();
  return campaign;
}

function campaignNotFound(): NotFoundError {
  return new NotFoundError('Campaign not found');
}

export async function listCampaigns(
  deps: CampaignServiceDeps,
  organiserId: string,
  query: { limit: number; cursor?: string | undefined; status?: CampaignStatus | undefined },
): Promise<{ items: CampaignRow[]; nextCursor: string | null }> {
  // One extra row tells whether there is a next page without a COUNT.
  const rows = await listOwnedCampaigns(deps.db, organiserId, {
    limit: query.limit + 1,
    ...(query.cursor ? { after: decodeCursor(query.cursor) } : {}),
    ...(query.status ? { status: query.status } : {}),
  });
  const items = rows.slice(0, query.limit);
  const last = items.at(-1);
  const nextCursor =
    rows.length > query.limit && last ? encodeCursor({ createdAt: last.cursorCreatedAt, id: last.id }) : null;
  return { items, nextCursor };
}

function changedColumns(current: CampaignRow, input: UpdateCampaignInput): Partial<NewCampaignRow> {
  const changes: Partial<NewCampaignRow> = {};
  if (input.slug !== undefined) changes.slug = input.slug;
  if (input.title !== undefined) changes.title = input.title;
  if (input.summary !== undefined) changes.summary = input.summary;
  if (input.letter?.subject !== undefined) changes.letterSubject = input.letter.subject;
  if (input.letter?.body !== undefined) changes.letterBody = input.letter.body;
  if (input.target?.name !== undefined) changes.targetName = input.target.name;
  if (input.target?.email !== undefined) changes.targetEmail = input.target.email;
  if (input.target?.address !== undefined) changes.targetAddress = input.target.address;
  if (input.sender?.name !== undefined) changes.senderName = input.sender.name;
  if (input.sender?.email !== undefined) changes.senderEmail = input.sender.email;
  if (input.replyPolicy?.mode !== undefined) changes.replyMode = input.replyPolicy.mode;
  if (input.replyPolicy?.allowedSenders !== undefined) changes.replyAllowedSenders = input.replyPolicy.allowedSenders;
  if (input.consentStatement !== undefined) changes.consentStatement = input.consentStatement;

  const policy = {
    mode: changes.replyMode ?? current.replyMode,
    allowedSenders: changes.replyAllowedSenders ?? current.replyAllowedSenders,
  };
  if (!autoNeedsSenders(policy)) throw new ValidationError(AUTO_NEEDS_SENDERS, 'replyPolicy.allowedSenders');
  return changes;
}

export async function updateCampaign(
  deps: CampaignServiceDeps,
  organiserId: string,
  campaignId: string,
  input: UpdateCampaignInput,
): Promise<CampaignRow> {
  if (input.letter) assertValidTemplates(input.letter, 'letter.');
  try {
    // The row lock makes "check the status, then write" atomic against a concurrent publish.
    return await deps.db.transaction(async (tx) => {
      const current = await findOwnedCampaign(tx, organiserId, campaignId, { forUpdate: true });
      if (!current) throw campaignNotFound();
      if (current.status !== 'draft') {
        const locked = LOCKED_ONCE_PUBLISHED.find((field) => input[field] !== undefined);
        if (locked) {
          throw new StateError(
            'campaign_locked',
            `The ${locked} cannot change once the campaign is published: supporters signed it as it is`,
            locked,
          );
        }
      }
      const changes = changedColumns(current, input);
      if (changes.slug !== undefined && changes.slug !== current.slug) await assertSlugClaimed(tx, organiserId, changes.slug);
      const updated = await updateOwnedCampaign(tx, organiserId, campaignId, changes);
      if (changes.slug !== undefined && changes.slug !== current.slug) await releaseUnusedSlug(tx, organiserId, current.slug);
      return updated!;
    });
  } catch (error) {
    if (isUniqueViolation(error, 'campaigns_slug_key')) throw slugTaken();
    throw error;
  }
}

const TRANSITIONS = {
  publish: { from: 'draft', to: 'open', timestamp: 'publishedAt' },
  close: { from: 'open', to: 'closed', timestamp: 'closedAt' },
} as const;

export type CampaignTransition = keyof typeof TRANSITIONS;

export async function transitionCampaign(
  deps: CampaignServiceDeps,
  organiserId: string,
  campaignId: string,
  action: CampaignTransition,
): Promise<CampaignRow> {
  const { from, to, timestamp } = TRANSITIONS[action];
  const moved = await transitionOwnedCampaign(deps.db, organiserId, campaignId, from, {
    status: to,
    [timestamp]: new Date(),
  });
  if (moved) return moved;
  const current = await getCampaign(deps, organiserId, campaignId);
  throw new StateError(
    'invalid_transition',
    `Cannot ${action} a campaign that is ${current.status}: only ${from === 'open' ? 'an open' : 'a draft'} campaign can be ${action === 'publish' ? 'published' : 'closed'}`,
    'status',
  );
}

export async function deleteCampaign(deps: CampaignServiceDeps, organiserId: string, campaignId: string): Promise<void> {
  // A closed campaign may still have a broadcast running (a forwarded reply): it stops with the
  // campaign, in the same transaction, since its links (unsubscribe) stop working at once.
  const deleted = await deps.db.transaction(async (tx) => {
    const marked = await markCampaignDeleted(tx, organiserId, campaignId, DELETABLE);
    if (marked) await cancelCampaignBroadcasts(tx, campaignId);
    return marked;
  });
  if (!deleted) {
    const current = await getCampaign(deps, organiserId, campaignId);
    throw new StateError(
      'invalid_transition',
      `Cannot delete a campaign that is ${current.status}: close it first`,
      'status',
    );
  }
  await deps.requestPurge(campaignId);
}
