/**
 * How many people a broadcast started now would reach: the number a confirmation page asks about
 * ("Forward to 4,213 supporters?"). The same rules as the planner's page query (audience-plan.ts):
 * to the target, every confirmed signature; to supporters, the confirmed, subscribed and unsuppressed.
 */
import { sql } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { isSuppressedSql } from '../suppressions/suppressions.js';

export async function countAudience(db: Executor, campaign: { id: string; organiserId: string }, audience: 'supporters' | 'target'): Promise<number> {
  const query =
    audience === 'target'
      ? sql`SELECT count(*)::int AS n FROM supporters s WHERE s.campaign_id = ${campaign.id} AND s.status = 'confirmed'`
      : sql`SELECT count(*)::int AS n FROM supporters s JOIN contacts ct ON ct.id = s.contact_id
          WHERE s.campaign_id = ${campaign.id} AND s.status = 'confirmed' AND s.unsubscribed_at IS NULL
            AND NOT ${isSuppressedSql(sql`ct.email`, campaign.organiserId)}`;
  const result = await db.execute<{ n: number }>(query);
  return result.rows[0]?.n ?? 0;
}
