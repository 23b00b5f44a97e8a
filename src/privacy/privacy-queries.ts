/** What a supporter's data export reads beyond their contact and signatures: the broadcasts' ledger. */
import { asc, eq, inArray } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { broadcasts, campaigns, deliveries } from '../db/schema.js';

/**
 * Every broadcast delivery of these signatures, oldest first (deliveries_supporter_idx): messages
 * sent to them (updates, forwarded replies) and, in individual mode, their letter sent to the target.
 */
export async function listBroadcastDeliveriesOf(db: Executor, supporterIds: string[]) {
  if (supporterIds.length === 0) return [];
  return db
    .select({
      campaignTitle: campaigns.title,
      kind: broadcasts.kind,
      audience: broadcasts.audience,
      subject: broadcasts.subject,
      status: deliveries.status,
      attempts: deliveries.attempts,
      lastResponse: deliveries.lastResponse,
      createdAt: deliveries.createdAt,
      sentAt: deliveries.sentAt,
    })
    .from(deliveries)
    .innerJoin(broadcasts, eq(broadcasts.id, deliveries.broadcastId))
    .innerJoin(campaigns, eq(campaigns.id, broadcasts.campaignId))
    .where(inArray(deliveries.supporterId, supporterIds))
    .orderBy(asc(deliveries.createdAt), asc(deliveries.id));
}
