/**
 * The ledger of one-to-one mail (table transactional_messages): written in the same transaction as
 * its cause, claimed before sending, recorded after (src/infra/mail-ledger.ts).
 */
import type { Database, Executor } from '../db/client.js';
import { transactionalMessages } from '../db/schema.js';
import { claimLedgerRow, listOverdueLedgerRows, recordLedgerOutcome, releaseAbandonedLedgerRows, type LedgerOutcome } from '../infra/mail-ledger.js';

export type TransactionalMessageRow = typeof transactionalMessages.$inferSelect;
export type TransactionalKind = TransactionalMessageRow['kind'];

/** A mail to send; a second letter copy for the same supporter is not written (undefined). */
export async function insertTransactionalMessage(db: Executor, supporterId: string, kind: TransactionalKind): Promise<string | undefined> {
  const [row] = await db
    .insert(transactionalMessages)
    .values({ supporterId, kind })
    .onConflictDoNothing()
    .returning({ id: transactionalMessages.id });
  return row?.id;
}

/**
 * Claims a message that is due: a message another process is sending is left alone, so a stalled
 * job re-run while the first run is still talking to the SMTP server does not send it twice.
 */
export function claimMessage(db: Database, claimant: string, id: string): Promise<TransactionalMessageRow | undefined> {
  return claimLedgerRow(db, transactionalMessages, claimant, id);
}

export function recordMessageOutcome(db: Database, claimant: string, id: string, outcome: LedgerOutcome): Promise<void> {
  return recordLedgerOutcome(db, transactionalMessages, claimant, id, outcome);
}

/** Messages whose claimant died: due again. Returns their ids, to queue them again. */
export function releaseAbandonedMessages(db: Database): Promise<string[]> {
  return releaseAbandonedLedgerRows(db, transactionalMessages);
}

/** Messages still to send whose job had its chance (see listOverdueLedgerRows). */
export function listUnsentMessages(db: Database, graceSeconds: number, limit: number): Promise<string[]> {
  return listOverdueLedgerRows(db, transactionalMessages, graceSeconds, limit);
}
