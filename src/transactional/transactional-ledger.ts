/**
 * The transactional mail ledger (table transactional_messages): claim before send, record after.
 */
import { and, eq, inArray, lt, ne, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { transactionalMessages } from '../db/schema.js';
import { isAbandonedClaim } from '../infra/worker-registry.js';

export type TransactionalMessageRow = typeof transactionalMessages.$inferSelect;

/**
 * Claims a pending message for sending with one conditional UPDATE, naming the claimant (the worker
 * process). A message another process is sending is left alone, so a stalled job re-run while the
 * first run is still talking to the SMTP server does not send it twice; if that process died, its
 * claims go back to 'pending' (releaseAbandonedMessages). Sent, failed or skipped: never.
 */
export async function claimMessage(db: Database, claimant: string, id: string): Promise<TransactionalMessageRow | undefined> {
  const [row] = await db
    .update(transactionalMessages)
    .set({ status: 'sending', claimedBy: claimant, attempts: sql`${transactionalMessages.attempts} + 1`, updatedAt: sql`now()` })
    .where(and(eq(transactionalMessages.id, id), eq(transactionalMessages.status, 'pending')))
    .returning();
  return row;
}

/**
 * Records the SMTP server's answer. A 250 is a fact and always recorded (unless already); anything
 * else only while the message is still this claimant's: a process taken for dead has had its
 * claims given to others.
 */
export async function recordMessageOutcome(
  db: Database,
  claimant: string,
  id: string,
  status: 'sent' | 'pending' | 'failed' | 'skipped',
  response: string,
): Promise<void> {
  await db
    .update(transactionalMessages)
    .set({
      status,
      claimedBy: null,
      lastResponse: response.slice(0, 2000),
      updatedAt: sql`now()`,
      ...(status === 'sent' ? { sentAt: sql`now()` } : {}),
    })
    .where(
      and(
        eq(transactionalMessages.id, id),
        status === 'sent'
          ? ne(transactionalMessages.status, 'sent')
          : and(eq(transactionalMessages.status, 'sending'), eq(transactionalMessages.claimedBy, claimant)),
      ),
    );
}

/**
 * Messages left 'sending' by a claimant that is no longer registered (see releaseAbandonedDeliveries),
 * or claimed before claims named their claimant and unchanged for two minutes: back to 'pending'.
 * Returns their ids, to queue them again.
 */
export async function releaseAbandonedMessages(db: Database): Promise<string[]> {
  const rows = await db
    .update(transactionalMessages)
    .set({ status: 'pending', claimedBy: null, updatedAt: sql`now()` })
    .where(
      and(
        // transactional_messages_unsent_idx: only unsent mail is read.
        eq(transactionalMessages.status, 'sending'),
        isAbandonedClaim(transactionalMessages.claimedBy, transactionalMessages.updatedAt),
      ),
    )
    .returning({ id: transactionalMessages.id });
  return rows.map((row) => row.id);
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
