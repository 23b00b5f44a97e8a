/** The people behind a claimed batch of deliveries, as the send token needs them. */
import { sql } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { suppressionReasonSql } from '../suppressions/suppressions.js';

export interface Recipient {
  supporterId: string;
  name: string;
  postcode: string | null;
  email: string;
  signedAt: Date;
  confirmed: boolean;
  unsubscribed: boolean;
  /** The suppression that stops mail to this address (everywhere or by this organiser), if any. */
  suppressedBecause: string | null;
}

/**
 * loadRecipients: the people behind a claimed batch, with the suppression check done in the same
 * query (suppressions_email_scope_key on email_hash), so an unsubscribe or a bounce that happened
 * after planning still stops the message.
 */
export async function loadRecipients(db: Executor, supporterIds: string[], organiserId: string): Promise<Map<string, Recipient>> {
  if (supporterIds.length === 0) return new Map();
  const result = await db.execute<{
    id: string;
    name: string;
    postcode: string | null;
    email: string;
    created_at: Date;
    status: string;
    unsubscribed_at: Date | null;
    suppressed: string | null;
  }>(sql`
    SELECT s.id, s.name, s.postcode, ct.email, s.created_at, s.status, s.unsubscribed_at,
      ${suppressionReasonSql(sql`ct.email`, organiserId)} AS suppressed
    FROM supporters s JOIN contacts ct ON ct.id = s.contact_id
    WHERE s.id = ANY(${sql.param(supporterIds)}::uuid[])
  `);
  const recipients = new Map<string, Recipient>();
  for (const row of result.rows) {
    recipients.set(row.id, {
      supporterId: row.id,
      name: row.name,
      postcode: row.postcode,
      email: row.email,
      signedAt: new Date(row.created_at),
      confirmed: row.status === 'confirmed',
      unsubscribed: row.unsubscribed_at !== null,
      suppressedBecause: row.suppressed,
    });
  }
  return recipients;
}
