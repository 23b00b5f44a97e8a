/**
 * Who did not get a broadcast: its deliveries that ended failed, bounced or skipped, with the
 * person, the SMTP server's answer (or why it was not sent), the attempts and when, a page at a
 * time. Keyset pages in delivery id order after the last id shown, read through
 * deliveries_broadcast_status_idx (broadcast_id, status), so a page costs the same deep in a
 * million-row broadcast as on the first.
 */
import { and, asc, eq, gt, ilike, inArray, or, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { contacts, deliveries, supporters } from '../db/schema.js';
import { likePrefix } from '../supporters/supporter-queries.js';

export const UNDELIVERED_STATUSES = ['failed', 'bounced', 'skipped'] as const;

export interface UndeliveredRow {
  deliveryId: number;
  status: (typeof UNDELIVERED_STATUSES)[number];
  name: string;
  email: string;
  lastResponse: string | null;
  attempts: number;
  at: Date;
}

export async function listUndeliveredPage(
  db: Executor,
  broadcastId: string,
  options: { limit: number; afterId?: number | undefined; search?: string | undefined },
): Promise<UndeliveredRow[]> {
  const conditions: SQL[] = [eq(deliveries.broadcastId, broadcastId), inArray(deliveries.status, [...UNDELIVERED_STATUSES])];
  if (options.search) conditions.push(or(ilike(supporters.name, likePrefix(options.search)), ilike(contacts.email, likePrefix(options.search)))!);
  if (options.afterId !== undefined) conditions.push(gt(deliveries.id, options.afterId));
  const rows = await db
    .select({
      deliveryId: deliveries.id,
      status: deliveries.status,
      name: supporters.name,
      email: contacts.email,
      lastResponse: deliveries.lastResponse,
      attempts: deliveries.attempts,
      at: deliveries.updatedAt,
    })
    .from(deliveries)
    .innerJoin(supporters, eq(supporters.id, deliveries.supporterId))
    .innerJoin(contacts, eq(contacts.id, supporters.contactId))
    .where(and(...conditions))
    .orderBy(asc(deliveries.id))
    .limit(options.limit);
  return rows as UndeliveredRow[];
}
