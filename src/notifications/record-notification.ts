/**
 * Organiser notifications written to the one-to-one mail ledger, in the transaction of the event
 * they tell of (a reply recorded, a broadcast completed or paused): one row per owner, keyed by the
 * event, so a retried event writes nothing new and the sweep sends whatever Redis lost.
 */
import { sql } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { transactionalMessages } from '../db/schema.js';
import { countDeliveries, type DeliveryCounts } from '../broadcasts/delivery-ledger.js';
import { organiserNotificationRecipients } from './organiser-recipients.js';

export type NotificationKind = 'reply_arrived' | 'broadcast_completed' | 'broadcast_paused';

export interface BroadcastEndDetails extends Record<string, unknown> {
  counts: DeliveryCounts;
  reason?: string | undefined;
}

/** Writes the notification for each owner; returns the ids of rows written now (none if told before). */
export async function recordOrganiserNotification(
  tx: Executor,
  event: { organiserId: string; kind: NotificationKind; aboutId: string; key: string; details?: Record<string, unknown> | undefined },
): Promise<string[]> {
  const recipients = await organiserNotificationRecipients(tx, event.organiserId);
  if (recipients.length === 0) return [];
  const rows = await tx
    .insert(transactionalMessages)
    .values(
      recipients.map((recipient) => ({
        organiserId: event.organiserId,
        recipient,
        kind: event.kind,
        aboutId: event.aboutId,
        notificationKey: event.key,
        details: event.details ?? null,
      })),
    )
    .onConflictDoNothing({
      target: [transactionalMessages.notificationKey, transactionalMessages.recipient],
      where: sql`${transactionalMessages.notificationKey} IS NOT NULL`,
    })
    .returning({ id: transactionalMessages.id });
  return rows.map((row) => row.id);
}

/** A reply recorded for a campaign: told once per reply, whatever becomes of it. */
export function recordReplyArrived(tx: Executor, organiserId: string, replyId: string): Promise<string[]> {
  return recordOrganiserNotification(tx, { organiserId, kind: 'reply_arrived', aboutId: replyId, key: `reply_arrived:${replyId}` });
}

/**
 * A broadcast that completed, or paused itself: the counts as they are in this transaction. A pause
 * is keyed by the moment it happened, so a broadcast resumed and paused again is told again.
 */
export async function recordBroadcastEnded(
  tx: Executor,
  broadcast: { id: string; organiserId: string; updatedAt: Date },
  ending: { kind: 'broadcast_completed' } | { kind: 'broadcast_paused'; reason: string },
): Promise<string[]> {
  const counts = await countDeliveries(tx, broadcast.id);
  const key = ending.kind === 'broadcast_completed' ? `broadcast_completed:${broadcast.id}` : `broadcast_paused:${broadcast.id}:${broadcast.updatedAt.toISOString()}`;
  const details: BroadcastEndDetails = { counts, ...(ending.kind === 'broadcast_paused' ? { reason: ending.reason } : {}) };
  return recordOrganiserNotification(tx, { organiserId: broadcast.organiserId, kind: ending.kind, aboutId: broadcast.id, key, details });
}
