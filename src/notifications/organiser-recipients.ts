/**
 * Who is told about an organiser's campaigns (a reply arrived, a broadcast ended or paused itself):
 * the organiser's owners, the users who may send, approve and manage. The only place that decides
 * it, so the notifications follow when owners change. Editors are not told.
 */
import { and, asc, eq } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { users } from '../db/schema.js';

/** The addresses an organiser's notifications go to: its owners' (stored lower-cased), each once. */
export async function organiserNotificationRecipients(db: Executor, organiserId: string): Promise<string[]> {
  const rows = await db
    .select({ email: users.email })
    .from(users)
    .where(and(eq(users.organiserId, organiserId), eq(users.role, 'owner')))
    .orderBy(asc(users.createdAt));
  return [...new Set(rows.map((row) => row.email))];
}
