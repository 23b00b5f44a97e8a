/**
 * The transactional mail ledger (table transactional_messages): claim before send, record after.
 */
import { and, eq, inArray, lt, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { transactionalMessages } from '../db/schema.js';

export type TransactionalMessageRow = typeof transactionalMessages.$inferSelect;

/**
 * Claims a message for sending with one conditional UPDATE. 'sending' is claimable too: it means a
 * worker died between claiming and recording, and the message goes again with the same Message-ID.
 * A message already sent, failed or skipped is not claimed, so a duplicate job does nothing.
 */
export async function claimMessage(db: Database, id: string): Promise<TransactionalMessageRow | undefined> {
  const [row] = await db
    .update(transactionalMessages)
    .set({ status: 'sending', attempts: sql`${transactionalMessages.attempts} + 1`, updatedAt: sql`now()` })
    .where(and(eq(transactionalMessages.id, id), inArray(transactionalMessages.status, ['pending', 'sending'])))
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
