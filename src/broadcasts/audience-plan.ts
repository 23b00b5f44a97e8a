/**
 * The planner's SQL: the broadcast's audience written into the delivery ledger a page at a time.
 * Every hot query is named with the index it relies on; all are parameterised drizzle `sql`
 * templates, none built from strings.
 */
import { sql } from 'drizzle-orm';
import type { Database, Executor } from '../db/client.js';
import { isSuppressedSql } from '../suppressions/suppressions.js';

export const PLAN_PAGE_SIZE = 1_000;

/** Sorts before every UUID: the audience cursor of a broadcast that has not planned any page yet. */
const BEFORE_EVERY_ID = '00000000-0000-0000-0000-000000000000';

/** A supporter (`s`, with contact `ct`) mail to supporters may go to: confirmed, subscribed, unsuppressed. */
function mailableSupporter(organiserId: string) {
  return sql`s.status = 'confirmed' AND s.unsubscribed_at IS NULL AND NOT ${isSuppressedSql(sql`ct.email`, organiserId)}`;
}

/**
 * How many people a broadcast started now would reach, for the page that asks before starting
 * ("Send to 4,213 supporters?"): the planner's own condition, counted (supporters_audience_idx).
 * A letter to the target carries every confirmed signature.
 */
export async function countAudience(db: Executor, campaign: { id: string; organiserId: string }, audience: 'supporters' | 'target'): Promise<number> {
  const who = audience === 'target' ? sql`s.status = 'confirmed'` : mailableSupporter(campaign.organiserId);
  const result = await db.execute<{ n: number }>(sql`
    SELECT count(*)::int AS n FROM supporters s JOIN contacts ct ON ct.id = s.contact_id
    WHERE s.campaign_id = ${campaign.id} AND ${who}
  `);
  return result.rows[0]?.n ?? 0;
}

/**
 * planAudiencePage: inserts the next page of the audience into the ledger and moves the planner's
 * checkpoint, in one transaction. The audience is the supporters confirmed before the broadcast
 * started; for mail to supporters, only those subscribed and whose address is suppressed neither
 * everywhere nor by this organiser.
 * The broadcast's campaign and checkpoint are read first and go into the page query as values, so
 * the page is an index range scan from the checkpoint (supporters_audience_idx (campaign_id, id)
 * WHERE confirmed AND subscribed) and costs the same on the last page as on the first. (Joined in,
 * they let Postgres scan from the first supporter on every page, a cost that grows with each page.)
 * Rows already in the ledger (a re-run after a crash) are skipped by the unique (broadcast_id,
 * supporter_id) index; the checkpoint only moves with rows that are committed.
 * Returns how many supporters the page held (0: planning is done) and how many rows were new.
 */
export async function planAudiencePage(db: Database, broadcastId: string): Promise<{ scanned: number; inserted: number }> {
  return db.transaction(async (tx) => {
    const found = await tx.execute<{ campaign_id: string; started_at: Date; planned_through: string | null; audience: string; organiser_id: string }>(sql`
      SELECT br.campaign_id, br.started_at, br.planned_through, br.audience, c.organiser_id
      FROM broadcasts br JOIN campaigns c ON c.id = br.campaign_id
      -- A cancelled (or completed) broadcast gets no more rows, even from a planner already running.
      WHERE br.id = ${broadcastId} AND NOT br.planning_done AND br.status IN ('sending', 'paused')
      -- NO KEY UPDATE, not UPDATE: the counts the ledger's trigger inserts reference this row, and
      -- their key-share check must not wait for the planner (claims and the planner deadlocked).
      FOR NO KEY UPDATE OF br
    `);
    const broadcast = found.rows[0];
    if (!broadcast) return { scanned: 0, inserted: 0 };
    const after = broadcast.planned_through ?? BEFORE_EVERY_ID;
    // Letters to the target carry every confirmed signature; mail to supporters only reaches the
    // subscribed and unsuppressed (written out so the planner can use the partial index).
    const page =
      broadcast.audience === 'target'
        ? sql`
          SELECT s.id FROM supporters s
          WHERE s.campaign_id = ${broadcast.campaign_id} AND s.id > ${after}::uuid
            AND s.status = 'confirmed' AND s.confirmed_at <= ${broadcast.started_at}
          ORDER BY s.id LIMIT ${PLAN_PAGE_SIZE}`
        : sql`
          SELECT s.id FROM supporters s JOIN contacts ct ON ct.id = s.contact_id
          WHERE s.campaign_id = ${broadcast.campaign_id} AND s.id > ${after}::uuid
            AND ${mailableSupporter(broadcast.organiser_id)} AND s.confirmed_at <= ${broadcast.started_at}
          ORDER BY s.id LIMIT ${PLAN_PAGE_SIZE}`;
    const result = await tx.execute<{ scanned: number; inserted: number }>(sql`
      WITH page AS (${page}),
      inserted AS (
        INSERT INTO deliveries (broadcast_id, supporter_id)
        SELECT ${broadcastId}::uuid, page.id FROM page
        ON CONFLICT (broadcast_id, supporter_id) DO NOTHING
        RETURNING 1
      ),
      moved AS (
        UPDATE broadcasts SET
          planned_through = COALESCE((SELECT id FROM page ORDER BY id DESC LIMIT 1), broadcasts.planned_through),
          planning_done = NOT EXISTS (SELECT 1 FROM page),
          updated_at = now()
        WHERE broadcasts.id = ${broadcastId}
        RETURNING 1
      )
      SELECT (SELECT count(*) FROM page)::int AS scanned,
             (SELECT count(*) FROM inserted)::int AS inserted,
             (SELECT count(*) FROM moved)::int AS moved
    `);
    const row = result.rows[0];
    return { scanned: row?.scanned ?? 0, inserted: row?.inserted ?? 0 };
  });
}

/**
 * Refreshes the planner statistics of the ledger. A broadcast adds rows far faster than autovacuum
 * notices, and with stale statistics Postgres claims each batch by sorting every pending row of
 * the broadcast instead of walking deliveries_claimable_idx, a cost that grows with the audience.
 * ANALYZE reads a fixed-size sample, so it costs the same at any size.
 */
export async function refreshLedgerStatistics(db: Executor): Promise<void> {
  await db.execute(sql`ANALYZE deliveries`);
}
