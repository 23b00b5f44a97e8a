/**
 * Everything printed on the letter to the target, gathered once so the PDF, the HTML mail and its
 * plain-text alternative say the same thing: letterhead, date, address block, subject, the letter,
 * the signature block and the signatories.
 */
import type { CampaignRow } from '../db/schema.js';
import type { OrganisationIdentity } from '../organisers/organisation-identity.js';
import { formatLetterDate, mergeDataFor } from '../templates/merge-fields.js';
import { renderLetter, type RenderedLetter } from '../templates/render-template.js';
import { letterBlocks, type LetterBlock } from './letter-markdown.js';

/** Who the letter is signed by in the bundle: the merge field `supporter.name` in the organiser's template. */
export const BUNDLE_SIGNER = 'The undersigned';

export interface Signatory {
  name: string;
  postcode: string | null;
  signedAt: Date;
}

export interface LetterSheet {
  letterhead: { name: string; addressLines: string[]; website: string | null; logo: Buffer | null };
  /** The campaign's sender name: who signs the letter for its supporters. */
  sender: string;
  date: string;
  recipient: { name: string; addressLines: string[] };
  subject: string;
  /** The letter for the PDF and the plain text; `bodyHtml` is the same letter, sanitised, for the mail. */
  body: LetterBlock[];
  bodyHtml: string;
  signature: string[];
  signatories: Signatory[];
  /** Under the list, in a stored copy made again after an erasure: how many names it no longer has. */
  removedNote?: string | undefined;
  formatDate(date: Date): string;
}

/** An address as lines: as typed, or split at its commas when it was typed on one line. */
export function linesOf(value: string | null | undefined): string[] {
  const text = value ?? '';
  return text.split(text.includes('\n') ? /\r?\n/ : /,/).map((line) => line.trim()).filter(Boolean);
}

function signatureLines(campaign: CampaignRow, organisation: OrganisationIdentity, count: number): string[] {
  const lines = [campaign.senderName];
  if (organisation.name.trim().toLowerCase() !== campaign.senderName.trim().toLowerCase()) lines.push(organisation.name);
  if (count > 0) {
    lines.push(count === 1 ? 'On behalf of the supporter whose name follows' : `On behalf of the ${count.toLocaleString('en-GB')} supporters whose names follow`);
  }
  return lines;
}

/** The parts every letter to the target shares, whoever signs it. */
function sheetOf(
  campaign: CampaignRow,
  organisation: OrganisationIdentity,
  letter: RenderedLetter,
  date: Date,
  signing: Pick<LetterSheet, 'signature' | 'signatories'>,
): LetterSheet {
  return {
    letterhead: {
      name: organisation.name,
      addressLines: linesOf(organisation.postalAddress),
      website: organisation.website,
      logo: organisation.logo?.content ?? null,
    },
    sender: campaign.senderName,
    date: formatLetterDate(date),
    recipient: { name: campaign.targetName, addressLines: linesOf(campaign.targetAddress) },
    subject: letter.subject,
    body: letterBlocks(letter.text),
    bodyHtml: letter.html,
    ...signing,
    formatDate: formatLetterDate,
  };
}

/** The bundle: the letter signed by the campaign's sender for everyone, the signatories listed after it. */
export function targetLetterSheet(input: {
  campaign: CampaignRow;
  organisation: OrganisationIdentity;
  signatories: Signatory[];
  date: Date;
}): LetterSheet {
  const { campaign, organisation, signatories } = input;
  const rendered = renderLetter(
    { subject: campaign.letterSubject, body: campaign.letterBody },
    mergeDataFor({
      supporterName: BUNDLE_SIGNER,
      postcode: null,
      campaignTitle: campaign.title,
      targetName: campaign.targetName,
      signedAt: input.date,
      unsubscribeUrl: '',
    }),
  );
  return sheetOf(campaign, organisation, rendered, input.date, {
    signature: signatureLines(campaign, organisation, signatories.length),
    signatories,
  });
}

/**
 * One supporter's own letter (individual mode), already merged for them: signed by them, with the
 * postcode they gave, and who sent it on their behalf; no list of signatories.
 */
export function individualLetterSheet(input: {
  campaign: CampaignRow;
  organisation: OrganisationIdentity;
  letter: RenderedLetter;
  signer: { name: string; postcode: string | null };
  date: Date;
}): LetterSheet {
  const { campaign, signer } = input;
  return sheetOf(campaign, input.organisation, input.letter, input.date, {
    signature: [signer.name, ...(signer.postcode ? [signer.postcode] : []), `Sent on their behalf by ${campaign.senderName}`],
    signatories: [],
  });
}
