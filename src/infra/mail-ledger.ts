/**
 * What every mail ledger row goes through, written once for the three ledgers (deliveries,
 * transactional_messages, target_letters): a row is claimed for sending only when it is due and no
 * claim holds it, naming its claimant (the worker process); a 250 is recorded whatever happened
 * meanwhile (it is a fact), anything else only while the row is still the claimant's, since a
 * process taken for dead has had its claims given to others (isAbandonedClaim).
 */
import { and, eq, lte, ne, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import type { targetLetters, transactionalMessages } from '../db/schema.js';
import { isAbandonedClaim } from './worker-registry.js';

/** The ledgers with one row per message (deliveries are claimed in batches, broadcast-ledger.ts). */
export type MessageLedger = typeof transactionalMessages | typeof targetLetters;

/** A row whose turn it is: waiting, and due (now, or at its retry time). */
export function isDueRow(status: SQL, nextAttemptAt: SQL, waiting: SQL = sql`'pending'`): SQL {
  return sql`${status} IN (${waiting}) AND ${nextAttemptAt} <= now()`;
}

// Drizzle's builders do not accept a union of tables: each ledger is handled through the first's
// type, whose columns the others share by name and type.
const asLedger = (table: MessageLedger) => table as typeof transactionalMessages;

/** Claims one row if it is due and unclaimed; undefined otherwise (sent, given up, someone else's, or not due). */
export async function claimLedgerRow<T extends MessageLedger>(db: Database, table: T, claimant: string, id: string): Promise<T['$inferSelect'] | undefined> {
  const t = asLedger(table);
  const [row] = await db
    .update(t)
    .set({ status: 'sending', claimedBy: claimant, attempts: sql`${t.attempts} + 1`, updatedAt: sql`now()` })
    .where(and(eq(t.id, id), isDueRow(sql`${t.status}`, sql`${t.nextAttemptAt}`)))
    .returning();
  return row;
}

export type LedgerOutcome =
  | { status: 'sent' | 'failed' | 'skipped'; response: string }
  /** Back to 'pending', due at `retryAt`. */
  | { status: 'pending'; response: string; retryAt: Date };

/** Records the SMTP server's answer (see the rule above); `extra` columns go with it. */
export async function recordLedgerOutcome(
  db: Database,
  table: MessageLedger,
  claimant: string,
  id: string,
  outcome: LedgerOutcome,
  extra: { signatories?: number } = {},
): Promise<void> {
  const t = asLedger(table);
  await db
    .update(t)
    .set({
      status: outcome.status,
      claimedBy: null,
      lastResponse: outcome.response.slice(0, 2000),
      updatedAt: sql`now()`,
      ...extra,
      ...(outcome.status === 'sent' ? { sentAt: sql`now()` } : {}),
      ...(outcome.status === 'pending' ? { nextAttemptAt: outcome.retryAt } : {}),
    })
    .where(and(eq(t.id, id), outcome.status === 'sent' ? ne(t.status, 'sent') : and(eq(t.status, 'sending'), eq(t.claimedBy, claimant))));
}

/** Rows left 'sending' by a claimant no longer registered: back to 'pending', due now. Returns their ids, to queue them again. */
export async function releaseAbandonedLedgerRows(db: Database, table: MessageLedger): Promise<string[]> {
  const t = asLedger(table);
  const rows = await db
    .update(t)
    .set({ status: 'pending', claimedBy: null, nextAttemptAt: sql`now()`, updatedAt: sql`now()` })
    // The ledgers' unsent indexes: only rows still to send are read.
    .where(and(eq(t.status, 'sending'), isAbandonedClaim(t.claimedBy, t.updatedAt)))
    .returning({ id: t.id });
  return rows.map((row) => row.id);
}

/**
 * Rows still to send whose turn came `graceSeconds` ago or more: their job had its chance, so it was
 * lost (Redis flushed, an enqueue failed), or they wait for a retry whose delayed job was lost.
 */
export async function listOverdueLedgerRows(db: Database, table: MessageLedger, graceSeconds: number, limit: number): Promise<string[]> {
  const t = asLedger(table);
  const rows = await db
    .select({ id: t.id })
    .from(t)
    .where(and(sql`${t.status} IN ('pending', 'sending')`, lte(t.nextAttemptAt, sql`now() - make_interval(secs => ${graceSeconds})`)))
    .orderBy(t.createdAt)
    .limit(limit);
  return rows.map((row) => row.id);
}
