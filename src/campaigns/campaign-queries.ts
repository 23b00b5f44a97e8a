/**
 * Every campaign query. Each one that reads or writes a campaign for an organiser filters on
 * `organiser_id` itself, so a route cannot forget to: another organiser's campaign simply is not found.
 */
import { and, desc, eq, inArray, isNotNull, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import type { KeysetCursor } from '../http/keyset-cursor.js';
import { broadcasts, campaignSlugs, campaigns, contacts, supporters, type CampaignRow } from '../db/schema.js';

export type NewCampaignRow = typeof campaigns.$inferInsert;
export type CampaignStatus = CampaignRow['status'];

function ownedLiveCampaign(organiserId: string, campaignId: string): SQL {
  return and(eq(campaigns.id, campaignId), eq(campaigns.organiserId, organiserId), isNull(campaigns.deletedAt))!;
}

export async function insertCampaign(db: Executor, row: NewCampaignRow): Promise<CampaignRow> {
  const [created] = await db.insert(campaigns).values(row).returning();
  return created!;
}

/**
 * Claims a slug for an organiser for good: true when it is new or already theirs, false when it is
 * (or was, on a deleted campaign) another organiser's. One statement on the primary key, so two
 * organisers claiming one slug at once are serialised: the second sees the first's claim.
 */
export async function claimCampaignSlug(db: Executor, organiserId: string, slug: string): Promise<boolean> {
  const rows = await db
    .insert(campaignSlugs)
    .values({ slug, organiserId })
    .onConflictDoUpdate({
      target: campaignSlugs.slug,
      set: { slug: sql`excluded.slug` },
      setWhere: sql`${campaignSlugs.organiserId} = excluded.organiser_id`,
    })
    .returning({ slug: campaignSlugs.slug });
  return rows.length > 0;
}

export async function isSlugLive(db: Executor, slug: string): Promise<boolean> {
  const rows = await db.select({ id: campaigns.id }).from(campaigns).where(and(eq(campaigns.slug, slug), isNull(campaigns.deletedAt))).limit(1);
  return rows.length > 0;
}

/**
 * A draft's slug it no longer uses goes back to everyone: a draft is not public, so no link to it
 * can be out there. Kept while any of the organiser's campaigns, live or deleted, still has it.
 */
export async function releaseUnusedSlug(db: Executor, organiserId: string, slug: string): Promise<void> {
  await db
    .delete(campaignSlugs)
    .where(
      and(
        eq(campaignSlugs.slug, slug),
        eq(campaignSlugs.organiserId, organiserId),
        sql`NOT EXISTS (SELECT 1 FROM ${campaigns} WHERE ${campaigns.slug} = ${slug})`,
      ),
    );
}

export async function findOwnedCampaign(
  db: Executor,
  organiserId: string,
  campaignId: string,
  options: { forUpdate?: boolean } = {},
): Promise<CampaignRow | undefined> {
  const query = db.select().from(campaigns).where(ownedLiveCampaign(organiserId, campaignId));
  const [row] = options.forUpdate ? await query.for('update') : await query;
  return row;
}


/**
 * Keyset page of an organiser's campaigns, newest first. Uses campaigns_organiser_created_idx
 * (organiser_id, created_at DESC, id DESC); the cursor keeps created_at as Postgres text so its
 * microseconds survive the round trip (a JS Date would drop them and repeat or skip rows).
 */
export async function listOwnedCampaigns(
  db: Executor,
  organiserId: string,
  options: { limit: number; after?: KeysetCursor; status?: CampaignStatus },
): Promise<Array<CampaignRow & { cursorCreatedAt: string }>> {
  const conditions: SQL[] = [eq(campaigns.organiserId, organiserId), isNull(campaigns.deletedAt)];
  if (options.status) conditions.push(eq(campaigns.status, options.status));
  if (options.after) {
    const after = sql`${options.after.createdAt}::timestamptz`;
    conditions.push(
      or(lt(campaigns.createdAt, after), and(eq(campaigns.createdAt, after), lt(campaigns.id, options.after.id)))!,
    );
  }
  const rows = await db
    .select({ campaign: campaigns, cursorCreatedAt: sql<string>`${campaigns.createdAt}::text` })
    .from(campaigns)
    .where(and(...conditions))
    .orderBy(desc(campaigns.createdAt), desc(campaigns.id))
    .limit(options.limit);
  return rows.map((row) => ({ ...row.campaign, cursorCreatedAt: row.cursorCreatedAt }));
}

export async function updateOwnedCampaign(
  db: Executor,
  organiserId: string,
  campaignId: string,
  changes: Partial<NewCampaignRow>,
): Promise<CampaignRow | undefined> {
  const [row] = await db
    .update(campaigns)
    .set({ ...changes, updatedAt: sql`now()` })
    .where(ownedLiveCampaign(organiserId, campaignId))
    .returning();
  return row;
}

/**
 * Moves a campaign from one status to another in one conditional UPDATE, so two concurrent
 * requests cannot both publish (or close) it: the loser matches no row.
 */
export async function transitionOwnedCampaign(
  db: Executor,
  organiserId: string,
  campaignId: string,
  from: CampaignStatus,
  changes: Partial<NewCampaignRow>,
): Promise<CampaignRow | undefined> {
  const [row] = await db
    .update(campaigns)
    .set({ ...changes, updatedAt: sql`now()` })
    .where(and(ownedLiveCampaign(organiserId, campaignId), eq(campaigns.status, from)))
    .returning();
  return row;
}

/** Soft delete: the campaign disappears from the API (its slug stays its organiser's); a worker purges its data. */
export async function markCampaignDeleted(
  db: Executor,
  organiserId: string,
  campaignId: string,
  deletableStatuses: CampaignStatus[],
): Promise<boolean> {
  const rows = await db
    .update(campaigns)
    .set({ deletedAt: sql`now()`, updatedAt: sql`now()` })
    .where(
      and(
        ownedLiveCampaign(organiserId, campaignId),
        or(...deletableStatuses.map((status) => eq(campaigns.status, status))),
      ),
    )
    .returning({ id: campaigns.id });
  return rows.length > 0;
}

export async function cancelCampaignBroadcasts(db: Executor, campaignId: string): Promise<void> {
  await db
    .update(broadcasts)
    .set({ status: 'cancelled', completedAt: sql`now()`, updatedAt: sql`now()` })
    .where(and(eq(broadcasts.campaignId, campaignId), inArray(broadcasts.status, ['draft', 'scheduled', 'sending', 'paused'])));
}

/** Campaigns deleted but not yet purged; the sweep re-enqueues them in case a job was lost. */
export async function listCampaignsAwaitingPurge(db: Executor, limit: number): Promise<string[]> {
  const rows = await db
    .select({ id: campaigns.id })
    .from(campaigns)
    .where(isNotNull(campaigns.deletedAt))
    .orderBy(campaigns.deletedAt)
    .limit(limit);
  return rows.map((row) => row.id);
}

/**
 * Deletes up to `batchSize` supporters of a deleted campaign, then any of their contacts who no longer
 * support anything (their personal data has no other reason to be kept). Returns how many supporters
 * went; 0 means the campaign has none left. Short statements keep locks and WAL bursts small however
 * large the campaign.
 */
export async function purgeSupporterBatch(db: Executor, campaignId: string, batchSize: number): Promise<number> {
  const batch = db
    .select({ id: supporters.id })
    .from(supporters)
    .where(eq(supporters.campaignId, campaignId))
    .limit(batchSize);
  const removed = await db
    .delete(supporters)
    .where(sql`${supporters.id} IN ${batch}`)
    .returning({ contactId: supporters.contactId });
  if (removed.length === 0) return 0;
  const contactIds = [...new Set(removed.map((row) => row.contactId))];
  await db
    .delete(contacts)
    .where(
      and(
        sql`${contacts.id} = ANY(${sql.param(contactIds)}::uuid[])`,
        sql`NOT EXISTS (SELECT 1 FROM ${supporters} WHERE ${supporters.contactId} = ${contacts.id})`,
      ),
    );
  return removed.length;
}

export async function deletePurgedCampaign(db: Executor, campaignId: string): Promise<boolean> {
  const rows = await db
    .delete(campaigns)
    .where(and(eq(campaigns.id, campaignId), isNotNull(campaigns.deletedAt)))
    .returning({ id: campaigns.id });
  return rows.length > 0;
}
