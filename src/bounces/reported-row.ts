/**
 * The ledger row a return path names, with what a report about it may act on: whose address it was
 * sent to (a supporter's contact, an organiser's owner, or the target), and for which organiser.
 * Read only after the token's MAC was checked, so a row is never looked up for a forged report.
 */
import { eq } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { broadcasts, campaigns, contacts, deliveries, signInLinks, supporters, targetLetters, transactionalMessages, users } from '../db/schema.js';
import type { ReturnPathRow } from '../mail/return-path.js';

export interface ReportedRow {
  row: ReturnPathRow;
  organiserId: string | null;
  broadcastId: string | null;
  /** The supporter the message was for, when it went to a supporter (not the target, not an organiser's owner). */
  supporter: { id: string; contactId: string; email: string } | null;
  /** The address the message went to, when it may be suppressed: never the target's. */
  suppressible: string | null;
}

/** The supporter a joined row names, when the signature and its contact still exist (an erasure removes both). */
function supporterOf(found: { supporterId: string | null; contactId: string | null; email: string | null }): ReportedRow['supporter'] {
  return found.supporterId && found.contactId && found.email ? { id: found.supporterId, contactId: found.contactId, email: found.email } : null;
}

async function reportedDelivery(db: Executor, id: number): Promise<ReportedRow | undefined> {
  const [found] = await db
    .select({ broadcastId: deliveries.broadcastId, audience: broadcasts.audience, organiserId: campaigns.organiserId, supporterId: supporters.id, contactId: contacts.id, email: contacts.email })
    .from(deliveries)
    .innerJoin(broadcasts, eq(broadcasts.id, deliveries.broadcastId))
    .innerJoin(campaigns, eq(campaigns.id, broadcasts.campaignId))
    .leftJoin(supporters, eq(supporters.id, deliveries.supporterId))
    .leftJoin(contacts, eq(contacts.id, supporters.contactId))
    .where(eq(deliveries.id, id));
  if (!found) return undefined;
  // A letter to the target went to the target's address: a report about it says nothing of the supporter's.
  const supporter = found.audience === 'supporters' ? supporterOf(found) : null;
  return { row: { ledger: 'delivery', id }, organiserId: found.organiserId, broadcastId: found.broadcastId, supporter, suppressible: supporter?.email ?? null };
}

async function reportedMessage(db: Executor, id: string): Promise<ReportedRow | undefined> {
  const [found] = await db
    .select({
      recipient: transactionalMessages.recipient,
      messageOrganiserId: transactionalMessages.organiserId,
      organiserId: campaigns.organiserId,
      supporterId: supporters.id,
      contactId: contacts.id,
      email: contacts.email,
      userEmail: users.email,
      userOrganiserId: users.organiserId,
    })
    .from(transactionalMessages)
    .leftJoin(supporters, eq(supporters.id, transactionalMessages.supporterId))
    .leftJoin(contacts, eq(contacts.id, supporters.contactId))
    .leftJoin(campaigns, eq(campaigns.id, supporters.campaignId))
    .leftJoin(signInLinks, eq(signInLinks.id, transactionalMessages.signInLinkId))
    .leftJoin(users, eq(users.id, signInLinks.userId))
    .where(eq(transactionalMessages.id, id));
  if (!found) return undefined;
  const supporter = supporterOf(found);
  return {
    row: { ledger: 'transactional', id },
    organiserId: found.organiserId ?? found.messageOrganiserId ?? found.userOrganiserId,
    broadcastId: null,
    supporter,
    // An organiser notification names its owner's address; a sign-in link's is its user's.
    suppressible: supporter?.email ?? found.recipient ?? found.userEmail,
  };
}

async function reportedTargetLetter(db: Executor, id: string): Promise<ReportedRow | undefined> {
  const [found] = await db
    .select({ organiserId: campaigns.organiserId })
    .from(targetLetters)
    .innerJoin(campaigns, eq(campaigns.id, targetLetters.campaignId))
    .where(eq(targetLetters.id, id));
  return found && { row: { ledger: 'target-letter', id }, organiserId: found.organiserId, broadcastId: null, supporter: null, suppressible: null };
}

export function findReportedRow(db: Executor, row: ReturnPathRow): Promise<ReportedRow | undefined> {
  if (row.ledger === 'delivery') return reportedDelivery(db, row.id);
  if (row.ledger === 'transactional') return reportedMessage(db, row.id);
  return reportedTargetLetter(db, row.id);
}
