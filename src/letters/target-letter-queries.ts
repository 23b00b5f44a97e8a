import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { broadcasts, supporters, targetLetters } from '../db/schema.js';
import { STALE_CLAIM_SECONDS } from '../mail/transactional-ledger.js';

export type TargetLetterRow = typeof targetLetters.$inferSelect;

export async function insertTargetLetter(db: Pick<Database, 'insert'>, campaignId: string): Promise<TargetLetterRow> {
  const [row] = await db.insert(targetLetters).values({ campaignId }).returning();
  return row!;
}

/** Claims the bundle for sending: 'pending', or 'sending' with a stale claim (see claimMessage). */
export async function claimTargetLetter(db: Database, id: string): Promise<TargetLetterRow | undefined> {
  const [row] = await db
    .update(targetLetters)
    .set({ status: 'sending', attempts: sql`${targetLetters.attempts} + 1`, updatedAt: sql`now()` })
    .where(
      and(
        eq(targetLetters.id, id),
        sql`(${targetLetters.status} = 'pending' OR (${targetLetters.status} = 'sending' AND ${targetLetters.updatedAt} < now() - make_interval(secs => ${STALE_CLAIM_SECONDS})))`,
      ),
    )
    .returning();
  return row;
}

export async function recordTargetLetterOutcome(
  db: Database,
  id: string,
  status: 'sent' | 'pending' | 'failed',
  response: string,
  signatories?: number,
): Promise<void> {
  await db
    .update(targetLetters)
    .set({
      status,
      lastResponse: response.slice(0, 2000),
      updatedAt: sql`now()`,
      ...(signatories !== undefined ? { signatories } : {}),
      ...(status === 'sent' ? { sentAt: sql`now()` } : {}),
    })
    .where(eq(targetLetters.id, id));
}

/** Whether the letter already went (or is going) to the target, by either mode. */
export async function findLetterDelivery(db: Pick<Database, 'select'>, campaignId: string): Promise<string | undefined> {
  const [bundle] = await db
    .select({ id: targetLetters.id })
    .from(targetLetters)
    .where(and(eq(targetLetters.campaignId, campaignId), inArray(targetLetters.status, ['pending', 'sending', 'sent'])))
    .limit(1);
  if (bundle) return bundle.id;
  const [individual] = await db
    .select({ id: broadcasts.id })
    .from(broadcasts)
    .where(
      and(
        eq(broadcasts.campaignId, campaignId),
        eq(broadcasts.audience, 'target'),
        inArray(broadcasts.status, ['scheduled', 'sending', 'paused', 'completed']),
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
