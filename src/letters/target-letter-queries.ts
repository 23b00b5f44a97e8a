import { and, asc, eq, inArray, ne, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { broadcasts, supporters, targetLetters } from '../db/schema.js';
import { isAbandonedClaim } from '../infra/worker-registry.js';

export type TargetLetterRow = typeof targetLetters.$inferSelect;

export async function insertTargetLetter(db: Pick<Database, 'insert'>, campaignId: string): Promise<TargetLetterRow> {
  const [row] = await db.insert(targetLetters).values({ campaignId }).returning();
  return row!;
}

/** Claims the bundle for sending, naming the claimant (see claimMessage). */
export async function claimTargetLetter(db: Database, claimant: string, id: string): Promise<TargetLetterRow | undefined> {
  const [row] = await db
    .update(targetLetters)
    .set({ status: 'sending', claimedBy: claimant, attempts: sql`${targetLetters.attempts} + 1`, updatedAt: sql`now()` })
    .where(and(eq(targetLetters.id, id), eq(targetLetters.status, 'pending')))
    .returning();
  return row;
}

/** A 250 always; anything else only while the bundle is still this claimant's (see recordMessageOutcome). */
export async function recordTargetLetterOutcome(
  db: Database,
  claimant: string,
  id: string,
  status: 'sent' | 'pending' | 'failed',
  response: string,
  signatories?: number,
): Promise<void> {
  await db
    .update(targetLetters)
    .set({
      status,
      claimedBy: null,
      lastResponse: response.slice(0, 2000),
      updatedAt: sql`now()`,
      ...(signatories !== undefined ? { signatories } : {}),
      ...(status === 'sent' ? { sentAt: sql`now()` } : {}),
    })
    .where(
      and(
        eq(targetLetters.id, id),
        status === 'sent' ? ne(targetLetters.status, 'sent') : and(eq(targetLetters.status, 'sending'), eq(targetLetters.claimedBy, claimant)),
      ),
    );
}

/** Bundles left 'sending' by a claimant no longer registered: back to 'pending' (see releaseAbandonedMessages). */
export async function releaseAbandonedTargetLetters(db: Database): Promise<string[]> {
  const rows = await db
    .update(targetLetters)
    .set({ status: 'pending', claimedBy: null, updatedAt: sql`now()` })
    .where(
      and(
        eq(targetLetters.status, 'sending'),
        isAbandonedClaim(targetLetters.claimedBy, targetLetters.updatedAt),
      ),
    )
    .returning({ id: targetLetters.id });
  return rows.map((row) => row.id);
}

/** A bundle in these states has gone, or is going, to the target; a failed one has not. */
export const LETTER_BUNDLE_STATUSES = ['pending', 'sending', 'sent'] as const;
/** The same for a broadcast of supporters' letters to the target: a draft or cancelled one has not. */
export const LETTER_BROADCAST_STATUSES = ['scheduled', 'sending', 'paused', 'completed'] as const;

/** Whether the letter already went (or is going) to the target, by either mode. */
export async function findLetterDelivery(db: Pick<Database, 'select'>, campaignId: string): Promise<string | undefined> {
  const [bundle] = await db
    .select({ id: targetLetters.id })
    .from(targetLetters)
    .where(and(eq(targetLetters.campaignId, campaignId), inArray(targetLetters.status, LETTER_BUNDLE_STATUSES)))
    .limit(1);
  if (bundle) return bundle.id;
  const [individual] = await db
    .select({ id: broadcasts.id })
    .from(broadcasts)
    .where(
      and(
        eq(broadcasts.campaignId, campaignId),
        eq(broadcasts.audience, 'target'),
        inArray(broadcasts.status, LETTER_BROADCAST_STATUSES),
      ),
    )
    .limit(1);
  return individual?.id;
}

/**
 * Confirmed signatories in signing order, a page at a time (supporters_campaign_created_idx). The
 * cursor keeps created_at as Postgres text: a JS Date would drop microseconds and repeat rows.
 */
export async function signatoryPage(db: Database, campaignId: string, after: { createdAt: string; id: string } | undefined, limit: number) {
  const conditions = [eq(supporters.campaignId, campaignId), eq(supporters.status, 'confirmed')];
  if (after) {
    conditions.push(sql`(${supporters.createdAt}, ${supporters.id}) > (${after.createdAt}::timestamptz, ${after.id}::uuid)`);
  }
  return db
    .select({
      id: supporters.id,
      name: supporters.name,
      postcode: supporters.postcode,
      createdAt: supporters.createdAt,
      cursorCreatedAt: sql<string>`${supporters.createdAt}::text`,
    })
    .from(supporters)
    .where(and(...conditions))
    .orderBy(asc(supporters.createdAt), asc(supporters.id))
    .limit(limit);
}

/** Bundles still unsent a minute after they were asked for: their job may be lost. */
export async function listUnsentTargetLetters(db: Database): Promise<string[]> {
  const rows = await db
    .select({ id: targetLetters.id })
    .from(targetLetters)
    .where(and(inArray(targetLetters.status, ['pending', 'sending']), sql`${targetLetters.createdAt} < now() - interval '1 minute'`));
  return rows.map((row) => row.id);
}
