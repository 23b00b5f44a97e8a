/**
 * What goes into the letter to the target, read once for the worker that sends it and for the
 * organiser's preview before sending: the confirmed signatories in signing order and the
 * organisation's letterhead. The preview lays them out with the same sheet, mail and PDF code as
 * the send (compose-target-letter.ts), so what the organiser sees is what the target receives.
 */
import type { Database } from '../db/client.js';
import type { CampaignRow } from '../db/schema.js';
import { loadLetterhead, type OrganisationIdentity } from '../organisers/organisation-identity.js';
import { targetLetterSheet, type LetterSheet, type Signatory } from './letter-sheet.js';
import { signatoryPage } from './target-letter-queries.js';

const PAGE = 5_000;

async function allSignatories(db: Database, campaignId: string): Promise<Signatory[]> {
  const all: Signatory[] = [];
  let after: { createdAt: string; id: string } | undefined;
  for (;;) {
    const rows = await signatoryPage(db, campaignId, after, PAGE);
    for (const row of rows) all.push({ name: row.name, postcode: row.postcode, signedAt: row.createdAt });
    const last = rows.at(-1);
    if (!last || rows.length < PAGE) return all;
    after = { createdAt: last.cursorCreatedAt, id: last.id };
  }
}

export async function gatherTargetLetter(
  db: Database,
  campaign: Pick<CampaignRow, 'id' | 'organiserId' | 'senderName'>,
): Promise<{ signatories: Signatory[]; organisation: OrganisationIdentity }> {
  const signatories = await allSignatories(db, campaign.id);
  // Always found (campaigns restrict their organiser's deletion); the sender's name if not.
  const organisation = (await loadLetterhead(db, campaign.organiserId)) ?? { name: campaign.senderName, website: null, postalAddress: null };
  return { signatories, organisation };
}

/** The bundle as it would be made if delivery were asked for now (dated today). */
export async function draftTargetLetter(db: Database, campaign: CampaignRow, date = new Date()): Promise<{ sheet: LetterSheet; organisation: OrganisationIdentity }> {
  const { signatories, organisation } = await gatherTargetLetter(db, campaign);
  return { sheet: targetLetterSheet({ campaign, organisation, signatories, date }), organisation };
}
