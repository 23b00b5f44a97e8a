/**
 * The delivery ledger (table deliveries, one row per broadcast and supporter): claimed a batch at a
 * time, recorded in groups, counted. Every hot query is named with the index it relies on; all are
 * parameterised drizzle `sql` templates, none built from strings.
 */
import { eq, sql } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { broadcastDeliveryCounts } from '../db/schema.js';
import { isDueRow } from '../infra/mail-ledger.js';
import { isAbandonedClaim } from '../infra/worker-registry.js';
import type { DeliveryStatus } from './broadcast-queries.js';

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
 * are pending. Starting from the first row instead, every claim would walk past the index entries
 * of every row already sent (their dead versions stay in both indexes until vacuum), a cost that
 * grows with the broadcast.
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
      WHERE broadcast_id = ${broadcastId} AND id > ${after} AND ${isDueRow(sql`status`, sql`next_attempt_at`, sql`'pending', 'retry'`)}
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
 * by a worker of a version whose claims named no claimant, after UNNAMED_CLAIM_STALE_SECONDS. Their
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
