import { and, asc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { broadcasts, supporters, targetLetters } from '../db/schema.js';
import { claimLedgerRow, listOverdueLedgerRows, recordLedgerOutcome, releaseAbandonedLedgerRows, type LedgerOutcome } from '../infra/mail-ledger.js';

export type TargetLetterRow = typeof targetLetters.$inferSelect;

export async function insertTargetLetter(db: Pick<Database, 'insert'>, campaignId: string, sentByUserId?: string): Promise<TargetLetterRow> {
  const [row] = await db.insert(targetLetters).values({ campaignId, sentByUserId: sentByUserId ?? null }).returning();
  return row!;
}

/** Claims the bundle for sending when it is due (see claimLedgerRow). */
export function claimTargetLetter(db: Database, claimant: string, id: string): Promise<TargetLetterRow | undefined> {
  return claimLedgerRow(db, targetLetters, claimant, id);
}

export function recordTargetLetterOutcome(db: Database, claimant: string, id: string, outcome: LedgerOutcome, signatories: number): Promise<void> {
  return recordLedgerOutcome(db, targetLetters, claimant, id, outcome, { signatories });
}

/** Bundles whose claimant died: due again (see releaseAbandonedLedgerRows). */
export function releaseAbandonedTargetLetters(db: Database): Promise<string[]> {
  return releaseAbandonedLedgerRows(db, targetLetters);
}

/** A bundle in these states has gone, or is going, to the target; a failed one has not. */
export const LETTER_BUNDLE_STATUSES = ['pending', 'sending', 'sent'] as const;
/** The same for a broadcast of supporters' letters to the target: a draft or cancelled one has not. */
export const LETTER_BROADCAST_STATUSES = ['scheduled', 'sending', 'paused', 'completed'] as const;

/** SQL: the target_letters row (of the campaigns `campaign` picks) is its letter, gone or going, as a bundle. */
export function isLetterBundle(campaign: SQL): SQL | undefined {
  return and(campaign, inArray(targetLetters.status, LETTER_BUNDLE_STATUSES));
}

/** SQL: the broadcasts row (of the campaigns `campaign` picks) is its letter, gone or going, in individual mode. */
export function isLetterBroadcast(campaign: SQL): SQL | undefined {
  return and(campaign, eq(broadcasts.audience, 'target'), inArray(broadcasts.status, LETTER_BROADCAST_STATUSES));
}

/** Whether the letter already went (or is going) to the target, by either mode. */
export async function findLetterDelivery(db: Pick<Database, 'select'>, campaignId: string): Promise<string | undefined> {
  const [bundle] = await db
    .select({ id: targetLetters.id })
    .from(targetLetters)
    .where(isLetterBundle(eq(targetLetters.campaignId, campaignId)))
    .limit(1);
  if (bundle) return bundle.id;
  const [individual] = await db
    .select({ id: broadcasts.id })
    .from(broadcasts)
    .where(isLetterBroadcast(eq(broadcasts.campaignId, campaignId)))
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

/** Bundles still to send whose job had its chance (see listOverdueLedgerRows). */
export function listUnsentTargetLetters(db: Database, graceSeconds: number): Promise<string[]> {
  return listOverdueLedgerRows(db, targetLetters, graceSeconds, 1_000);
}
