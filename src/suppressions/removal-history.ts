/**
 * The organiser's record of lifted suppressions, newest first: what was lifted, by whom (a user's
 * name or an API key's prefix) and why. Addresses show as in the list: only the organiser's own
 * supporters'.
 */
import { sql } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { supporterAddressSql } from './suppression-queries.js';
import type { SuppressionReason } from './suppressions.js';

export interface RemovalRecord {
  email: string | null;
  suppressionReason: SuppressionReason;
  campaignTitle: string | null;
  /** The user's name (or address), or "API key clk_…". */
  removedBy: string;
  reason: string;
  removedAt: Date;
}

type RawRecord = {
  email: string | null;
  suppression_reason: SuppressionReason;
  campaign_title: string | null;
  removed_by: string | null;
  reason: string;
  removed_at: string;
};

/** Relies on suppression_removals_organiser_idx. */
export async function recentRemovals(db: Executor, organiserId: string, limit: number): Promise<RemovalRecord[]> {
  const result = await db.execute<RawRecord>(sql`
    SELECT ${supporterAddressSql(organiserId, sql`r.email_hash`)} AS email, r.suppression_reason, ca.title AS campaign_title,
           COALESCE(u.name, u.email, 'API key ' || k.key_prefix || '…') AS removed_by, r.reason,
           to_json(r.removed_at) #>> '{}' AS removed_at
    FROM suppression_removals r
    LEFT JOIN users u ON u.id = r.removed_by_user_id
    LEFT JOIN api_keys k ON k.id = r.removed_by_api_key_id
    LEFT JOIN campaigns ca ON ca.id = r.campaign_id AND ca.organiser_id = ${organiserId}::uuid
    WHERE r.organiser_id = ${organiserId}::uuid
    ORDER BY r.removed_at DESC, r.id DESC
    LIMIT ${limit}`);
  return result.rows.map((row) => ({
    email: row.email,
    suppressionReason: row.suppression_reason,
    campaignTitle: row.campaign_title,
    removedBy: row.removed_by ?? 'someone no longer here',
    reason: row.reason,
    removedAt: new Date(row.removed_at),
  }));
}
