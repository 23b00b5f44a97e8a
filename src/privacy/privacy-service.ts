/**
 * A supporter's rights over their data: a copy of everything held about them, and erasure.
 * Erasure removes the person (contact, signatures, their mail ledger) but keeps campaign counts, and
 * keeps a one-way hash of the address in the suppression list so it is never mailed again; our
 * stored copies of letters sent to targets are made again without their name.
 */
import type { Database } from '../db/client.js';
import { limitPerEmail, type SupporterServiceDeps } from '../supporters/signup-service.js';
import { normaliseEmail } from '../supporters/email-address.js';
import {
  deleteContact,
  findLatestSupporterOfEmail,
  loadContactData,
} from '../supporters/supporter-queries.js';
import { insertTransactionalMessage } from '../transactional/transactional-ledger.js';
import { addSuppression, findSuppression } from '../suppressions/suppressions.js';
import { listBroadcastDeliveriesOf } from './privacy-queries.js';
import { findStoredLettersNaming, remakeStoredLetter } from '../letters/erased-signatories.js';

/** Mails a "your data" link if we hold the address; answers the same either way. */
export async function requestPrivacyLink(deps: SupporterServiceDeps, rawEmail: string): Promise<void> {
  const email = normaliseEmail(rawEmail);
  await limitPerEmail(deps, 'privacy', email);
  const supporterId = await findLatestSupporterOfEmail(deps.db, email);
  if (!supporterId) return;
  const messageId = await insertTransactionalMessage(deps.db, supporterId, 'privacy_link');
  if (messageId) deps.queueMail([messageId]);
}

/** Everything held about the person behind a signature, as one JSON document. */
export async function exportPersonalData(db: Database, contactId: string) {
  const data = await loadContactData(db, contactId);
  if (!data) return undefined;
  const [suppression, broadcastDeliveries] = await Promise.all([
    findSuppression(db, data.contact.email, null),
    listBroadcastDeliveriesOf(db, data.signatures.map(({ supporter }) => supporter.id)),
  ]);
  return {
    exportedAt: new Date().toISOString(),
    contact: { email: data.contact.email, name: data.contact.name, firstSeenAt: data.contact.createdAt.toISOString() },
    signatures: data.signatures.map(({ supporter, campaignTitle, campaignSlug }) => ({
      campaign: { title: campaignTitle, slug: campaignSlug },
      name: supporter.name,
      postcode: supporter.postcode,
      status: supporter.status,
      signedAt: supporter.createdAt.toISOString(),
      confirmedAt: supporter.confirmedAt?.toISOString() ?? null,
      unsubscribedAt: supporter.unsubscribedAt?.toISOString() ?? null,
      consent: {
        statement: supporter.consentStatement,
        givenAt: supporter.consentAt.toISOString(),
        ip: supporter.consentIp,
      },
    })),
    mail: data.messages.map((message) => ({
      kind: message.kind,
      status: message.status,
      queuedAt: message.createdAt.toISOString(),
      sentAt: message.sentAt?.toISOString() ?? null,
      serverAnswer: message.lastResponse,
    })),
    // Broadcasts: what we sent to everyone who signed (an update, the official reply), one row
    // each; and, when the organiser delivered the letter supporter by supporter, the copy of
    // yours that went to the target in your name.
    broadcasts: broadcastDeliveries.map((delivery) => ({
      campaign: delivery.campaignTitle,
      kind: delivery.kind,
      to: delivery.audience === 'target' ? 'the target, in your name' : 'you',
      subject: delivery.subject,
      status: delivery.status,
      attempts: delivery.attempts,
      queuedAt: delivery.createdAt.toISOString(),
      sentAt: delivery.sentAt?.toISOString() ?? null,
      serverAnswer: delivery.lastResponse,
    })),
    suppressedEverywhere: suppression ? suppression.reason : null,
  };
}

/**
 * Erases the person, and their name from our stored copies of letters sent to targets (see
 * erased-signatories.ts), in one transaction: both happen or neither does.
 */
export async function eraseContact(db: Database, contactId: string, email: string, letterFontDir: string): Promise<void> {
  await db.transaction(async (tx) => {
    const letters = await findStoredLettersNaming(tx, contactId);
    await addSuppression(tx, { email, organiserId: null, reason: 'erasure', source: 'erasure' });
    await deleteContact(tx, contactId);
    for (const letterId of letters) await remakeStoredLetter(tx, letterId, letterFontDir);
  });
}
