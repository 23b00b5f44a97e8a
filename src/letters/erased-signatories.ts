/**
 * Our stored copy of a bundle after one of its signatories is erased. The letter the target received
 * is theirs, a record of what was sent, and stays as it was; but the PDF we keep with its record
 * (`target_letters.pdf`) must not keep the erased person's name. It is made again, by the same
 * composer, from what it was first made from: the campaign's letter (locked once published), the
 * day it was asked for, and the signatories confirmed by the time it was sent, less everyone erased
 * since; under the list, a line says how many names were removed from this copy. Two things may
 * differ from what was sent besides the names: the letterhead is the organisation's current one,
 * and someone confirmed in the moments between the letter being made and the SMTP server's answer
 * may appear in it.
 */
import { and, asc, eq, isNotNull, lte, sql } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { campaigns, supporters, targetLetters } from '../db/schema.js';
import { loadLetterhead } from '../organisers/organisation-identity.js';
import { targetLetterSheet } from './letter-sheet.js';
import { buildTargetLetterPdf } from './target-letter-pdf.js';

/** When the stored PDF's list was read: just before it was sent (or last tried). */
const madeAt = sql`coalesce(${targetLetters.sentAt}, ${targetLetters.updatedAt})`;

/** The same, for one letter, compared in SQL (a JS Date would drop the microseconds). */
const madeAtOf = (letterId: string) => sql`(SELECT ${madeAt} FROM ${targetLetters} WHERE ${targetLetters.id} = ${letterId})`;

/** Bundles whose stored PDF names one of this contact's signatures. */
export async function findStoredLettersNaming(db: Executor, contactId: string): Promise<string[]> {
  const rows = await db
    .select({ id: targetLetters.id })
    .from(targetLetters)
    .innerJoin(supporters, eq(supporters.campaignId, targetLetters.campaignId))
    .where(
      and(
        eq(supporters.contactId, contactId),
        eq(supporters.status, 'confirmed'),
        isNotNull(targetLetters.pdf),
        lte(supporters.confirmedAt, madeAt),
      ),
    );
  return [...new Set(rows.map((row) => row.id))];
}

export function removedNamesNote(sent: number, kept: number): string | undefined {
  const removed = Math.max(0, sent - kept);
  if (removed === 0) return undefined;
  const names = removed === 1 ? '1 name was' : `${removed.toLocaleString('en-GB')} names were`;
  return `This is our copy of the letter sent with ${sent.toLocaleString('en-GB')} names: ${names} removed from it since, at the signatories’ request.`;
}

/** Makes the stored PDF again from the signatories still held; run after the erasure, in its transaction. */
export async function remakeStoredLetter(db: Executor, letterId: string, fontDir: string): Promise<void> {
  const [letter] = await db
    .select({ campaignId: targetLetters.campaignId, createdAt: targetLetters.createdAt, sent: targetLetters.signatories })
    .from(targetLetters)
    .where(eq(targetLetters.id, letterId));
  const [campaign] = letter ? await db.select().from(campaigns).where(eq(campaigns.id, letter.campaignId)) : [];
  if (!letter || !campaign) return;
  const kept = await db
    .select({ name: supporters.name, postcode: supporters.postcode, signedAt: supporters.createdAt })
    .from(supporters)
    .where(and(eq(supporters.campaignId, campaign.id), eq(supporters.status, 'confirmed'), lte(supporters.confirmedAt, madeAtOf(letterId))))
    .orderBy(asc(supporters.createdAt), asc(supporters.id));
  const organisation = (await loadLetterhead(db, campaign.organiserId)) ?? { name: campaign.senderName, website: null, postalAddress: null };
  const sheet = targetLetterSheet({ campaign, organisation, signatories: kept, date: letter.createdAt });
  sheet.removedNote = removedNamesNote(letter.sent ?? kept.length, kept.length);
  const pdf = await buildTargetLetterPdf(sheet, fontDir);
  await db.update(targetLetters).set({ pdf }).where(eq(targetLetters.id, letterId));
}
