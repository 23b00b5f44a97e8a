/** What a notification row tells of, read from Postgres when it is sent. */
import { eq } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { broadcasts, campaigns, replies, type transactionalMessages } from '../db/schema.js';
import type { NotificationContext } from './notification-mail.js';
import type { BroadcastEndDetails } from './record-notification.js';

type MessageRow = typeof transactionalMessages.$inferSelect;

/** The context of an organiser notification, or undefined when what it was about is gone (a deleted campaign). */
export async function loadNotificationContext(db: Executor, message: MessageRow): Promise<NotificationContext | undefined> {
  if (!message.aboutId) return undefined;
  if (message.kind === 'reply_arrived') {
    const [row] = await db.select({ reply: replies, campaign: campaigns }).from(replies).innerJoin(campaigns, eq(campaigns.id, replies.campaignId)).where(eq(replies.id, message.aboutId));
    return row && !row.campaign.deletedAt ? { kind: 'reply_arrived', ...row } : undefined;
  }
  if (message.kind === 'broadcast_completed' || message.kind === 'broadcast_paused') {
    const [row] = await db
      .select({ broadcast: { id: broadcasts.id, kind: broadcasts.kind, audience: broadcasts.audience }, campaign: campaigns })
      .from(broadcasts)
      .innerJoin(campaigns, eq(campaigns.id, broadcasts.campaignId))
      .where(eq(broadcasts.id, message.aboutId));
    if (!row || row.campaign.deletedAt) return undefined;
    return { kind: message.kind, ...row, details: (message.details ?? { counts: {} }) as BroadcastEndDetails };
  }
  return undefined;
}
