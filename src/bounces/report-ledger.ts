/**
 * What a delivery report writes: its row in delivery_reports (once per inbound message), the
 * reported ledger row's new status, and an address's soft bounces counted.
 */
import { and, eq, ne, sql } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { deliveries, deliveryReports, targetLetters, transactionalMessages } from '../db/schema.js';
import type { ReturnPathRow } from '../mail/return-path.js';
import { emailHash } from '../supporters/email-address.js';

export type DeliveryReportKind = (typeof deliveryReports.$inferSelect)['kind'];

/** Records the report; false when this inbound message's report was recorded already (a processing retry). */
export async function insertDeliveryReport(
  db: Executor,
  values: { inboundId: string; kind: DeliveryReportKind; row: ReturnPathRow; broadcastId: string | null; email: string | null; status: string | undefined; diagnostic: string | undefined },
): Promise<boolean> {
  const { row } = values;
  const inserted = await db
    .insert(deliveryReports)
    .values({
      inboundMessageId: values.inboundId,
      kind: values.kind,
      deliveryId: row.ledger === 'delivery' ? row.id : null,
      transactionalMessageId: row.ledger === 'transactional' ? row.id : null,
      targetLetterId: row.ledger === 'target-letter' ? row.id : null,
      broadcastId: values.broadcastId,
      emailHash: values.email ? emailHash(values.email) : null,
      status: values.status ?? null,
      diagnostic: values.diagnostic ?? null,
    })
    .onConflictDoNothing()
    .returning({ id: deliveryReports.id });
  return inserted.length > 0;
}

/**
 * The reported row refused after acceptance: a delivery becomes `bounced` (the outcome recorder never
 * turns a bounced row back into sent), one-to-one mail and target letters `failed` (they have no
 * bounced status), each with the report's status and diagnostic as its last response.
 */
export async function markRefusedAfterAcceptance(db: Executor, row: ReturnPathRow, response: string): Promise<void> {
  const lastResponse = response.slice(0, 2000);
  if (row.ledger === 'delivery') {
    await db.update(deliveries).set({ status: 'bounced', claimedBy: null, lastResponse, updatedAt: sql`now()` }).where(eq(deliveries.id, row.id));
  } else if (row.ledger === 'transactional') {
    await db
      .update(transactionalMessages)
      .set({ status: 'failed', lastResponse, updatedAt: sql`now()` })
      .where(and(eq(transactionalMessages.id, row.id), ne(transactionalMessages.status, 'sending')));
  } else {
    await db.update(targetLetters).set({ status: 'failed', lastResponse, updatedAt: sql`now()` }).where(and(eq(targetLetters.id, row.id), ne(targetLetters.status, 'sending')));
  }
}

/** How many different messages to this address soft-bounced within the window (repeated reports about one message count once). */
export async function countSoftBounces(db: Executor, email: string, windowDays: number): Promise<number> {
  const [counted] = await db
    .select({
      n: sql<number>`count(DISTINCT coalesce(${deliveryReports.deliveryId}::text, ${deliveryReports.transactionalMessageId}::text, ${deliveryReports.targetLetterId}::text))::int`,
    })
    .from(deliveryReports)
    .where(
      and(
        eq(deliveryReports.emailHash, emailHash(email)),
        eq(deliveryReports.kind, 'soft_bounce'),
        sql`${deliveryReports.createdAt} > now() - make_interval(days => ${windowDays})`,
      ),
    );
  return counted?.n ?? 0;
}

/** A broadcast's reports of one kind: its late bounces, its complaints. */
export async function countBroadcastReports(db: Executor, broadcastId: string): Promise<{ bouncedLate: number; complaints: number }> {
  const rows = await db
    // Several reports about one delivery (a relay that reports twice) count once.
    .select({ kind: deliveryReports.kind, n: sql<number>`count(DISTINCT coalesce(${deliveryReports.deliveryId}::text, ${deliveryReports.id}::text))::int` })
    .from(deliveryReports)
    .where(and(eq(deliveryReports.broadcastId, broadcastId), sql`${deliveryReports.kind} IN ('hard_bounce', 'complaint')`))
    .groupBy(deliveryReports.kind);
  const of = (kind: DeliveryReportKind) => rows.find((r) => r.kind === kind)?.n ?? 0;
  return { bouncedLate: of('hard_bounce'), complaints: of('complaint') };
}
