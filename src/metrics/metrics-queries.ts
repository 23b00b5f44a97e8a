/**
 * What /metrics reads from Postgres at each scrape. Every query here reads a counter table or a small
 * table, never the ledgers themselves (EXPLAIN figures in RELIABILITY.md): a scrape every 15 s must
 * cost the same with a million deliveries as with ten.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/client.js';

export type DeliveryKind = 'broadcast' | 'one_to_one' | 'target_letter';

export interface ServiceFigures {
  deliveries: Array<{ kind: DeliveryKind; status: string; n: number }>;
  broadcasts: Array<{ status: string; n: number }>;
  replies: Array<{ status: string; trusted: boolean; n: number }>;
  inboundWaiting: number;
  confirmedSupporters: number;
  /** Broadcast messages accepted by the SMTP server in the last SEND_RATE_WINDOW_SECONDS, all broadcasts. */
  recentlySent: number;
}

export const SEND_RATE_WINDOW_SECONDS = 10;

/** One round trip: each part is small, and a scrape should hold one pool connection once. */
export function serviceFiguresQuery(): SQL {
  return sql`
    -- Kept by the deliveries trigger (0005): one row per broadcast and status.
    SELECT 'broadcast' AS part, status::text AS a, NULL AS b, sum(n)::text AS n
      FROM broadcast_delivery_counts GROUP BY status
    UNION ALL
    -- Kept by the transactional_messages trigger (0007): one row per kind and status.
    SELECT 'one_to_one', status::text, NULL, sum(n)::text FROM transactional_message_counts GROUP BY status
    UNION ALL
    -- One row per campaign whose letter went to its target.
    SELECT 'target_letter', status::text, NULL, count(*)::text FROM target_letters GROUP BY status
    UNION ALL
    SELECT 'broadcasts', status::text, NULL, count(*)::text FROM broadcasts GROUP BY status
    UNION ALL
    SELECT 'replies', status::text, trusted::text, count(*)::text FROM replies GROUP BY status, trusted
    UNION ALL
    -- The partial index inbound_messages_unprocessed_idx holds only these.
    SELECT 'inbound_waiting', NULL, NULL, count(*)::text FROM inbound_messages WHERE status = 'received'
    UNION ALL
    -- campaigns.supporter_count is raised once per confirmation and kept through unsubscribe and erasure.
    SELECT 'confirmed', NULL, NULL, coalesce(sum(supporter_count), 0)::text FROM campaigns
    UNION ALL
    -- The trigger keeps the last minute of each sending broadcast, per second.
    SELECT 'recently_sent', NULL, NULL, coalesce(sum(sent), 0)::text FROM broadcast_send_seconds
      WHERE second > now() - make_interval(secs => ${SEND_RATE_WINDOW_SECONDS})
  `;
}

export async function readServiceFigures(db: Executor): Promise<ServiceFigures> {
  const result = await db.execute<{ part: string; a: string | null; b: string | null; n: string }>(serviceFiguresQuery());
  const figures: ServiceFigures = { deliveries: [], broadcasts: [], replies: [], inboundWaiting: 0, confirmedSupporters: 0, recentlySent: 0 };
  for (const row of result.rows) {
    const n = Number(row.n);
    switch (row.part) {
      case 'broadcast':
      case 'one_to_one':
      case 'target_letter':
        figures.deliveries.push({ kind: row.part, status: row.a!, n });
        break;
      case 'broadcasts':
        figures.broadcasts.push({ status: row.a!, n });
        break;
      case 'replies':
        figures.replies.push({ status: row.a!, trusted: row.b === 'true', n });
        break;
      case 'inbound_waiting':
        figures.inboundWaiting = n;
        break;
      case 'confirmed':
        figures.confirmedSupporters = n;
        break;
      case 'recently_sent':
        figures.recentlySent = n;
        break;
    }
  }
  return figures;
}
