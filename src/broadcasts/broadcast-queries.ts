/**
 * The delivery engine's SQL: every hot query is named here with the index it relies on.
 * All are parameterised drizzle `sql` templates; none is built from strings.
 */
import { and, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Database, Executor } from '../db/client.js';
import type { deliveries } from '../db/schema.js';
import { broadcastDeliveryCounts, broadcasts, campaigns } from '../db/schema.js';
import { isAbandonedClaim } from '../infra/worker-registry.js';

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

export const PLAN_PAGE_SIZE = 1_000;

/** Sorts before every UUID: the audience cursor of a broadcast that has not planned any page yet. */
const BEFORE_EVERY_ID = '00000000-0000-0000-0000-000000000000';

/**
 * planAudiencePage: inserts the next page of the audience into the ledger and moves the planner's
 * checkpoint, in one transaction. The audience is the supporters confirmed before the broadcast
 * started; for mail to supporters, only those subscribed and whose address is suppressed neither
 * everywhere nor by this organiser.
 * The broadcast's campaign and checkpoint are read first and go into the page query as values, so
 * the page is an index range scan from the checkpoint (supporters_audience_idx (campaign_id, id)
 * WHERE confirmed AND subscribed) and costs the same on the last page as on the first. (With them
 * joined in, Postgres scanned from the first supporter on every page: 0.3 s a page at 250,000.)
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
            AND s.status = 'confirmed' AND s.unsubscribed_at IS NULL AND s.confirmed_at <= ${broadcast.started_at}
            AND NOT EXISTS (
              SELECT 1 FROM suppressions sp
              WHERE sp.email_hash = sha256(convert_to(lower(ct.email), 'UTF8'))
                AND (sp.organiser_id IS NULL OR sp.organiser_id = ${broadcast.organiser_id})
            )
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

export interface ClaimedDelivery {
  id: number;
  supporterId: string;
  attempts: number;
}

/**
 * claimDeliveryBatch: takes up to `limit` due rows of a broadcast after row `after`, in id order, for
 * sending, in one conditional UPDATE. SKIP LOCKED lets any number of workers claim disjoint batches;
 * rows are only ever taken from 'pending' or 'retry', so a row another worker holds ('sending') or
 * finished is never taken. An index range from `after` on deliveries_claimable_idx (broadcast_id,
 * id) WHERE status IN ('pending', 'retry'), or on the primary key when the statistics say most rows
 * are pending. Starting from the first row instead, every claim walked past the index entries of
 * every row already sent (their dead versions stay in both indexes until vacuum): 150 ms a claim
 * with 300,000 sent, a cost that grows with the broadcast.
 * The rows name their claimant, the worker process, so they go back the moment it is known dead.
 */
export async function claimDeliveryBatch(
  db: Executor,
  claimant: string,
  broadcastId: string,
  limit: number,
  after = 0,
): Promise<ClaimedDelivery[]> {
  const result = await db.execute<{ id: string; supporter_id: string; attempts: number }>(sql`
    UPDATE deliveries d
    SET status = 'sending', claimed_by = ${claimant}, attempts = d.attempts + 1, updated_at = now()
    FROM (
      SELECT id FROM deliveries
      WHERE broadcast_id = ${broadcastId} AND id > ${after} AND status IN ('pending', 'retry') AND next_attempt_at <= now()
      ORDER BY id
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED
    ) due
    WHERE d.id = due.id
    RETURNING d.id, d.supporter_id, d.attempts
  `);
  return result.rows.map((row) => ({ id: Number(row.id), supporterId: row.supporter_id, attempts: row.attempts }));
}

export interface DeliveryOutcome {
  id: number;
  /** 'released': not attempted after all (the broadcast paused mid-batch); back to 'pending'. */
  status: Extract<DeliveryStatus, 'sent' | 'retry' | 'failed' | 'bounced' | 'skipped'> | 'released';
  response: string;
  /** For 'retry': when the next attempt is due. */
  retryAt?: Date | undefined;
}

/**
 * recordDeliveryOutcomes: writes a group of results in one statement (unnest of arrays), not one
 * round trip per message. A 250 is recorded whatever became of the row meanwhile (an accepted
 * message is a fact) unless a bounce report already came; any other outcome only while the row is
 * still this claimant's: a worker taken for dead has had its rows given to others.
 */
export async function recordDeliveryOutcomes(db: Executor, claimant: string, outcomes: DeliveryOutcome[]): Promise<void> {
  if (outcomes.length === 0) return;
  await db.execute(sql`
    UPDATE deliveries d SET
      status = (CASE WHEN o.status = 'released' THEN 'pending' ELSE o.status END)::delivery_status,
      attempts = CASE WHEN o.status = 'released' THEN d.attempts - 1 ELSE d.attempts END,
      claimed_by = NULL,
      last_response = o.response,
      sent_at = CASE WHEN o.status = 'sent' THEN now() ELSE d.sent_at END,
      next_attempt_at = COALESCE(o.retry_at, d.next_attempt_at),
      updated_at = now()
    FROM unnest(
      ${sql.param(outcomes.map((o) => o.id))}::bigint[],
      ${sql.param(outcomes.map((o) => o.status))}::text[],
      ${sql.param(outcomes.map((o) => o.response.slice(0, 2000)))}::text[],
      ${sql.param(outcomes.map((o) => o.retryAt?.toISOString() ?? null))}::timestamptz[]
    ) AS o(id, status, response, retry_at)
    WHERE d.id = o.id
      -- A bounce report can arrive before the worker records the 250: it is the later truth.
      AND ((d.status = 'sending' AND d.claimed_by = ${claimant}) OR (o.status = 'sent' AND d.status NOT IN ('sent', 'bounced')))
  `);
}

export type DeliveryCounts = Record<DeliveryStatus, number>;

/** Rows by status, from the counts the ledger's trigger keeps (migration 0005): a few rows at any size. */
export async function countDeliveries(db: Executor, broadcastId: string): Promise<DeliveryCounts> {
  const rows = await db
    .select({ status: broadcastDeliveryCounts.status, n: broadcastDeliveryCounts.n })
    .from(broadcastDeliveryCounts)
    .where(eq(broadcastDeliveryCounts.broadcastId, broadcastId));
  const counts: DeliveryCounts = { pending: 0, sending: 0, sent: 0, retry: 0, failed: 0, bounced: 0, skipped: 0 };
  for (const row of rows) counts[row.status] = Number(row.n);
  return counts;
}

/** Messages accepted in the last `seconds` (at most 60), for the send rate: per-second counts the trigger keeps. */
export async function countRecentlySent(db: Executor, broadcastId: string, seconds: number): Promise<number> {
  const result = await db.execute<{ n: number }>(sql`
    SELECT coalesce(sum(sent), 0)::int AS n FROM broadcast_send_seconds
    WHERE broadcast_id = ${broadcastId} AND second > now() - make_interval(secs => ${seconds})
  `);
  return result.rows[0]?.n ?? 0;
}

/** The earliest time a 'retry' row of the broadcast falls due, if any. */
export async function nextRetryAt(db: Executor, broadcastId: string): Promise<Date | undefined> {
  const result = await db.execute<{ at: Date | null }>(sql`
    SELECT min(next_attempt_at) AS at FROM deliveries WHERE broadcast_id = ${broadcastId} AND status IN ('pending', 'retry')
  `);
  const at = result.rows[0]?.at;
  return at ? new Date(at) : undefined;
}

/** Marks the broadcast completed once planning is done and no row is unfinished. */
export async function completeIfFinished(db: Executor, broadcastId: string): Promise<boolean> {
  const result = await db.execute(sql`
    UPDATE broadcasts SET status = 'completed', completed_at = now(), updated_at = now()
    WHERE id = ${broadcastId} AND status = 'sending' AND planning_done
      AND NOT EXISTS (
        SELECT 1 FROM deliveries WHERE broadcast_id = ${broadcastId} AND status IN ('pending', 'retry', 'sending')
      )
  `);
  return (result.rowCount ?? 0) > 0;
}

/**
 * Rows left 'sending' by a claimant that is no longer registered (workers/claim-recovery.ts: it
 * died, or shut down without recording them), due again at once as 'retry'; and rows claimed
 * before claims named their claimant, after the old two minutes without a heartbeat. Their
 * Message-ID stays the same, so a message that did go out is recognisable as a duplicate.
 * Returns the broadcasts that got rows back, to queue their send tokens.
 */
export async function releaseAbandonedDeliveries(db: Executor): Promise<string[]> {
  const result = await db.execute<{ broadcast_id: string }>(sql`
    WITH released AS (
      UPDATE deliveries d SET status = 'retry', claimed_by = NULL, next_attempt_at = now(), updated_at = now(),
        last_response = 'claimed by a worker process that stopped before recording the outcome'
      WHERE d.status = 'sending'
        -- Only unfinished broadcasts can have rows being sent (completion waits for them): looked up
        -- per broadcast, this reads their in-flight rows instead of the whole ledger's index.
        AND d.broadcast_id IN (SELECT id FROM broadcasts WHERE status IN ('sending', 'paused', 'cancelled'))
        AND ${isAbandonedClaim(sql`d.claimed_by`, sql`d.updated_at`)}
      RETURNING d.broadcast_id
    )
    SELECT DISTINCT broadcast_id FROM released
  `);
  return result.rows.map((row) => row.broadcast_id);
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

/** Cancelling: every unfinished row becomes 'skipped'; rows being sent right now finish as they are. */
export async function skipUnfinishedDeliveries(db: Executor, broadcastId: string, reason: string): Promise<number> {
  const result = await db.execute(sql`
    UPDATE deliveries SET status = 'skipped', last_response = ${reason}, updated_at = now()
    WHERE broadcast_id = ${broadcastId} AND status IN ('pending', 'retry')
  `);
  return result.rowCount ?? 0;
}

/** retry-failed: failed rows go back to 'retry' with their attempt count reset. Bounces stay bounced. */
export async function requeueFailedDeliveries(db: Executor, broadcastId: string): Promise<number> {
  const result = await db.execute(sql`
    UPDATE deliveries SET status = 'retry', attempts = 0, next_attempt_at = now(), updated_at = now()
    WHERE broadcast_id = ${broadcastId} AND status = 'failed'
  `);
  return result.rowCount ?? 0;
}

export interface Recipient {
  supporterId: string;
  name: string;
  postcode: string | null;
  email: string;
  signedAt: Date;
  confirmed: boolean;
  unsubscribed: boolean;
  /** The suppression that stops mail to this address (everywhere or by this organiser), if any. */
  suppressedBecause: string | null;
}

/** Why this delivery must not go now, re-checked just before sending; undefined if it may. */
export function exclusionOf(recipient: Recipient, audience: BroadcastRow['audience']): string | undefined {
  if (!recipient.confirmed) return 'not confirmed';
  if (audience === 'target') return undefined;
  if (recipient.suppressedBecause) return `suppressed (${recipient.suppressedBecause})`;
  if (recipient.unsubscribed) return 'unsubscribed';
  return undefined;
}

/**
 * loadRecipients: the people behind a claimed batch, with the suppression check done in the same
 * query (suppressions_email_scope_key on email_hash), so an unsubscribe or a bounce that happened
 * after planning still stops the message.
 */
export async function loadRecipients(db: Executor, supporterIds: string[], organiserId: string): Promise<Map<string, Recipient>> {
  if (supporterIds.length === 0) return new Map();
  const result = await db.execute<{
    id: string;
    name: string;
    postcode: string | null;
    email: string;
    created_at: Date;
    status: string;
    unsubscribed_at: Date | null;
    suppressed: string | null;
  }>(sql`
    SELECT s.id, s.name, s.postcode, ct.email, s.created_at, s.status, s.unsubscribed_at,
      (SELECT sp.reason::text FROM suppressions sp
        WHERE sp.email_hash = sha256(convert_to(lower(ct.email), 'UTF8'))
          AND (sp.organiser_id IS NULL OR sp.organiser_id = ${organiserId})
        LIMIT 1) AS suppressed
    FROM supporters s JOIN contacts ct ON ct.id = s.contact_id
    WHERE s.id = ANY(${sql.param(supporterIds)}::uuid[])
  `);
  const recipients = new Map<string, Recipient>();
  for (const row of result.rows) {
    recipients.set(row.id, {
      supporterId: row.id,
      name: row.name,
      postcode: row.postcode,
      email: row.email,
      signedAt: new Date(row.created_at),
      confirmed: row.status === 'confirmed',
      unsubscribed: row.unsubscribed_at !== null,
      suppressedBecause: row.suppressed,
    });
  }
  return recipients;
}

/**
 * Refreshes the planner statistics of the ledger. A broadcast adds rows far faster than autovacuum
 * notices, and with stale statistics Postgres claims each batch by sorting every pending row of
 * the broadcast (80 ms a claim at 150,000 pending) instead of walking deliveries_claimable_idx
 * (under 10 ms). ANALYZE reads a fixed-size sample, so it costs the same at any size.
 */
export async function refreshLedgerStatistics(db: Executor): Promise<void> {
  await db.execute(sql`ANALYZE deliveries`);
}
