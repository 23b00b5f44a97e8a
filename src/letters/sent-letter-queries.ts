/** What was sent to the target as a bundle: recorded by the worker, read by the organiser's API. */
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { campaigns, targetLetters } from '../db/schema.js';

/** The letter as made for this attempt, written before it is handed to the SMTP server. */
export async function recordTargetLetterContent(
  db: Database,
  id: string,
  content: { toName: string; toAddress: string; replyTo: string; subject: string; pdf: Buffer; signatories: number },
): Promise<void> {
  await db.update(targetLetters).set({ ...content, updatedAt: sql`now()` }).where(eq(targetLetters.id, id));
}

/** Every column but the PDF's bytes (its size instead). */
const summary = {
  id: targetLetters.id,
  campaignId: targetLetters.campaignId,
  status: targetLetters.status,
  attempts: targetLetters.attempts,
  lastResponse: targetLetters.lastResponse,
  signatories: targetLetters.signatories,
  toName: targetLetters.toName,
  toAddress: targetLetters.toAddress,
  replyTo: targetLetters.replyTo,
  subject: targetLetters.subject,
  pdfBytes: sql<number | null>`octet_length(${targetLetters.pdf})`,
  createdAt: targetLetters.createdAt,
  sentAt: targetLetters.sentAt,
  sentByUserId: targetLetters.sentByUserId,
};

export type SentLetterSummary = Awaited<ReturnType<typeof listCampaignTargetLetters>>[number];

export async function listCampaignTargetLetters(db: Database, campaignId: string) {
  return db.select(summary).from(targetLetters).where(eq(targetLetters.campaignId, campaignId)).orderBy(desc(targetLetters.createdAt));
}

/** One bundle, only if it belongs to a live campaign of this organiser (else undefined: a 404). */
export async function findOwnedTargetLetter(db: Database, organiserId: string, id: string) {
  const [row] = await db
    .select(summary)
    .from(targetLetters)
    .innerJoin(campaigns, eq(campaigns.id, targetLetters.campaignId))
    .where(and(eq(targetLetters.id, id), eq(campaigns.organiserId, organiserId), isNull(campaigns.deletedAt)));
  return row;
}

export async function targetLetterPdf(db: Database, id: string): Promise<Buffer | null> {
  const [row] = await db.select({ pdf: targetLetters.pdf }).from(targetLetters).where(eq(targetLetters.id, id));
  return row?.pdf ?? null;
}
