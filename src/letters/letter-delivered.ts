/** When the letter reached the target, as the public page says it: the first acceptance by either mode. */
import { and, eq, min } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { broadcasts, targetLetters } from '../db/schema.js';

/**
 * The first time the letter was accepted for the target: the bundle's 250, or the completion of the
 * one-letter-per-supporter broadcast. Undefined while it has not gone.
 */
export async function findLetterDeliveredAt(db: Executor, campaignId: string): Promise<Date | undefined> {
  const [bundle] = await db
    .select({ at: min(targetLetters.sentAt) })
    .from(targetLetters)
    .where(and(eq(targetLetters.campaignId, campaignId), eq(targetLetters.status, 'sent')));
  const [individual] = await db
    .select({ at: min(broadcasts.completedAt) })
    .from(broadcasts)
    .where(and(eq(broadcasts.campaignId, campaignId), eq(broadcasts.audience, 'target'), eq(broadcasts.status, 'completed')));
  const dates = [bundle?.at, individual?.at].filter((at): at is Date => at instanceof Date);
  return dates.length > 0 ? new Date(Math.min(...dates.map((at) => at.getTime()))) : undefined;
}
