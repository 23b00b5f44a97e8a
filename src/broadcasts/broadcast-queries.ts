/**
 * Broadcast rows: created, found for their organiser, moved between statuses. The delivery ledger's
 * SQL is in delivery-ledger.ts, the planner's in audience-plan.ts.
 */
import { and, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import type { deliveries } from '../db/schema.js';
import { broadcasts, campaigns } from '../db/schema.js';

export type BroadcastRow = typeof broadcasts.$inferSelect;
export type BroadcastStatus = BroadcastRow['status'];
export type DeliveryStatus = (typeof deliveries.$inferSelect)['status'];

export async function insertBroadcast(db: Executor, values: typeof broadcasts.$inferInsert): Promise<BroadcastRow> {
  const [row] = await db.insert(broadcasts).values(values).returning();
  return row!;
}

/** A broadcast, only if its campaign belongs to the organiser (and is not deleted). */
export async function findOwnedBroadcast(db: Executor, organiserId: string, broadcastId: string) {
  const [row] = await db
    .select({ broadcast: broadcasts, campaign: campaigns })
    .from(broadcasts)
    .innerJoin(campaigns, eq(campaigns.id, broadcasts.campaignId))
    .where(and(eq(broadcasts.id, broadcastId), eq(campaigns.organiserId, organiserId), isNull(campaigns.deletedAt)));
  return row;
}

export async function findBroadcastStatus(db: Executor, broadcastId: string): Promise<string> {
  const [row] = await db.select({ status: broadcasts.status }).from(broadcasts).where(eq(broadcasts.id, broadcastId));
  return row?.status ?? 'cancelled';
}

export async function findBroadcastWithCampaign(db: Executor, broadcastId: string) {
  const [row] = await db
    .select({ broadcast: broadcasts, campaign: campaigns })
    .from(broadcasts)
    .innerJoin(campaigns, eq(campaigns.id, broadcasts.campaignId))
    .where(eq(broadcasts.id, broadcastId));
  return row;
}

export async function listCampaignBroadcasts(db: Executor, campaignId: string): Promise<BroadcastRow[]> {
  return db.select().from(broadcasts).where(eq(broadcasts.campaignId, campaignId)).orderBy(desc(broadcasts.createdAt)).limit(100);
}

/** Moves a broadcast between statuses in one conditional UPDATE; undefined if it was not in `from`. */
export async function transitionBroadcast(
  db: Executor,
  broadcastId: string,
  from: BroadcastStatus[],
  changes: Partial<typeof broadcasts.$inferInsert>,
): Promise<BroadcastRow | undefined> {
  const [row] = await db
    .update(broadcasts)
    .set({ ...changes, updatedAt: sql`now()` })
    .where(and(eq(broadcasts.id, broadcastId), inArray(broadcasts.status, from)))
    .returning();
  return row;
}

/** Broadcasts with work to do: sending (planning or rows unfinished), or scheduled and due. */
export async function listActiveBroadcasts(db: Executor): Promise<Array<{ id: string; status: BroadcastStatus; planningDone: boolean }>> {
  return db
    .select({ id: broadcasts.id, status: broadcasts.status, planningDone: broadcasts.planningDone })
    .from(broadcasts)
    .where(
      sql`${broadcasts.status} = 'sending' OR (${broadcasts.status} = 'scheduled' AND ${broadcasts.scheduledAt} <= now())`,
    )
    .limit(1_000);
}

/** Messages accepted in the last `seconds` (at most 60), for the send rate: per-second counts the trigger keeps. */
export async function countRecentlySent(db: Executor, broadcastId: string, seconds: number): Promise<number> {
  const result = await db.execute<{ n: number }>(sql`
    SELECT coalesce(sum(sent), 0)::int AS n FROM broadcast_send_seconds
    WHERE broadcast_id = ${broadcastId} AND second > now() - make_interval(secs => ${seconds})
  `);
  return result.rows[0]?.n ?? 0;
}
