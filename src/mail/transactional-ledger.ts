/**
 * The transactional mail ledger (table transactional_messages): claim before send, record after.
 */
import { and, eq, inArray, lt, or, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { transactionalMessages } from '../db/schema.js';

export type TransactionalMessageRow = typeof transactionalMessages.$inferSelect;

/** A claim older than this belongs to a worker that died before recording the outcome. */
export const STALE_CLAIM_SECONDS = 120;

/**
 * Claims a message for sending with one conditional UPDATE: a 'pending' one, or a 'sending' one
 * whose claim went stale (its worker died between claiming and recording; the message goes again
 * with the same Message-ID). A fresh claim is left alone, so a stalled job re-run while the first
 * run is still talking to the SMTP server does not send it twice. Sent, failed or skipped: never.
 */
export async function claimMessage(db: Database, id: string): Promise<TransactionalMessageRow | undefined> {
  const [row] = await db
    .update(transactionalMessages)
    .set({ status: 'sending', attempts: sql`${transactionalMessages.attempts} + 1`, updatedAt: sql`now()` })
    .where(
      and(
        eq(transactionalMessages.id, id),
        or(
          eq(transactionalMessages.status, 'pending'),
          and(
            eq(transactionalMessages.status, 'sending'),
            lt(transactionalMessages.updatedAt, sql`now() - make_interval(secs => ${STALE_CLAIM_SECONDS})`),
          ),
        ),
      ),
    )
    .returning();
  return row;
}

export async function recordMessageOutcome(
  db: Database,
  id: string,
  status: 'sent' | 'pending' | 'failed' | 'skipped',
  response: string,
): Promise<void> {
  await db
    .update(transactionalMessages)
    .set({
      status,
      lastResponse: response.slice(0, 2000),
      updatedAt: sql`now()`,
      ...(status === 'sent' ? { sentAt: sql`now()` } : {}),
    })
    .where(eq(transactionalMessages.id, id));
}

/** Messages Postgres says still need sending, older than `olderThanSeconds` (their job may be lost). */
export async function listUnsentMessages(db: Database, olderThanSeconds: number, limit: number): Promise<string[]> {
  const rows = await db
    .select({ id: transactionalMessages.id })
    .from(transactionalMessages)
    .where(
      and(
        inArray(transactionalMessages.status, ['pending', 'sending']),
        lt(transactionalMessages.createdAt, sql`now() - make_interval(secs => ${olderThanSeconds})`),
      ),
    )
    .orderBy(transactionalMessages.createdAt)
    .limit(limit);
  return rows.map((row) => row.id);
}
