/**
 * The suppression list: addresses never to be mailed again, everywhere (hard bounce, complaint,
 * erasure) or by one organisation (its "unsubscribe from all"), kept only as a hash of the address.
 *
 * One normalisation: an address is hashed as normaliseEmail gives it (supporters/email-address.ts),
 * in TypeScript when a suppression is written or looked up by address, and in SQL only as
 * sha256 of contacts.email, which is stored normalised. SQL never lower-cases an address again: its
 * lower() depends on the database's locale and could miss "ÉLODIE@…" suppressed as "élodie@…".
 */
import { and, eq, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { suppressions } from '../db/schema.js';
import { emailHash, normaliseEmail } from '../supporters/email-address.js';

export type SuppressionReason = (typeof suppressions.$inferSelect)['reason'];
export type SuppressionSource = (typeof suppressions.$inferSelect)['source'];

/** The condition on suppressions row `sp` that stops mail to `email` (normalised) for `organiserId`'s campaigns (null: everywhere only). */
function stops(email: SQLWrapper, organiserId: SQLWrapper | string | null): SQL {
  return sql`sp.email_hash = sha256(convert_to(${email}, 'UTF8')) AND (sp.organiser_id IS NULL OR sp.organiser_id = ${organiserId})`;
}

/** SQL: whether the normalised address is suppressed in this scope (for a whole page of an audience). */
export function isSuppressedSql(email: SQLWrapper, organiserId: SQLWrapper | string | null): SQL {
  return sql`EXISTS (SELECT 1 FROM suppressions sp WHERE ${stops(email, organiserId)})`;
}

/** SQL: the reason the normalised address is suppressed in this scope, or NULL. */
export function suppressionReasonSql(email: SQLWrapper, organiserId: SQLWrapper | string | null): SQL {
  return sql`(SELECT sp.reason::text FROM suppressions sp WHERE ${stops(email, organiserId)} LIMIT 1)`;
}

/** The suppression that stops mail to this address in this scope (see suppressionScope), if any. */
export async function findSuppression(db: Executor, email: string, organiserId: string | null): Promise<{ reason: string } | undefined> {
  const result = await db.execute<{ reason: string | null }>(
    sql`SELECT ${suppressionReasonSql(sql`${normaliseEmail(email)}::text`, organiserId === null ? sql`NULL::uuid` : sql`${organiserId}::uuid`)} AS reason`,
  );
  const reason = result.rows[0]?.reason;
  return reason ? { reason } : undefined;
}

/**
 * Records that an address is not to be mailed (in this scope). Every caller says where it came from
 * (`source`) and, when a campaign's mail or page caused it, which campaign: the organiser's list shows
 * both. The first suppression of an address in a scope stands; a later one changes nothing.
 */
export async function addSuppression(
  db: Executor,
  values: { email: string; organiserId: string | null; reason: SuppressionReason; source: SuppressionSource; campaignId?: string | null; detail?: string },
): Promise<void> {
  const { email, ...rest } = values;
  await db.insert(suppressions).values({ ...rest, emailHash: emailHash(email) }).onConflictDoNothing();
}

/** A fresh opt-in lifts the person's own "unsubscribe from all" of this organisation (never a bounce or an erasure). */
export async function removeOrganiserUnsubscribe(db: Executor, email: string, organiserId: string): Promise<void> {
  await db
    .delete(suppressions)
    .where(and(eq(suppressions.emailHash, emailHash(email)), eq(suppressions.organiserId, organiserId), eq(suppressions.reason, 'unsubscribe_all')));
}
