/**
 * Who is told about an organiser's campaigns (a reply arrived, a broadcast ended or paused itself):
 * the organiser's owners. The only place that decides it, so the notifications follow when owners
 * change.
 */
import { eq } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { organisers } from '../db/schema.js';

/**
 * The addresses an organiser's notifications go to, lower-cased, each once. Today an organiser has
 * one contact address (the one it was created with); once the web app's users exist, its owners.
 */
export async function organiserNotificationRecipients(db: Executor, organiserId: string): Promise<string[]> {
  const rows = await db.select({ email: organisers.email }).from(organisers).where(eq(organisers.id, organiserId));
  return [...new Set(rows.map((row) => row.email.trim().toLowerCase()))];
}
