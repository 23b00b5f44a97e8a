/**
 * The bundle to the target, made from the campaign, the organisation's letterhead and the confirmed
 * signatories: the mail (HTML and text), with the printed letter as PDF and the list as CSV. The letter
 * is dated the day the organiser asked for it to be delivered, so a retry sends the same letter.
 */
import { replyAddressOf } from '../campaigns/campaign-view.js';
import type { CampaignRow } from '../db/schema.js';
import type { OutgoingMail } from '../mail/outgoing-mail.js';
import { deterministicMessageId } from '../mail/message-id.js';
import type { OrganisationIdentity } from '../organisers/organisation-identity.js';
import { logoUrl } from '../organisers/logo-url.js';
import { csvRow } from '../supporters/csv.js';
import { targetLetterSheet, type Signatory } from './letter-sheet.js';
import { targetLetterHtml, targetLetterText } from './bundle-letter-mail.js';

export interface ComposeTargetLetterOptions {
  mailFrom: string;
  inboundDomain: string;
  publicBaseUrl: string;
  fontDir: string;
}

/** The bundle's attachments, as the target sees them named. */
export const BUNDLE_PDF_NAME = 'letter-and-signatories.pdf';
export const BUNDLE_CSV_NAME = 'signatories.csv';

/** Where the mail's letterhead loads the logo from (the PDF embeds it instead), or null without one. */
export function letterheadLogoUrl(campaign: Pick<CampaignRow, 'organiserId'>, organisation: OrganisationIdentity, publicBaseUrl: string): string | null {
  return organisation.logo ? logoUrl(publicBaseUrl, campaign.organiserId, organisation.logo.sha256) : null;
}

export async function composeTargetLetter(
  letter: { id: string; createdAt: Date },
  campaign: CampaignRow,
  organisation: OrganisationIdentity,
  signatories: Signatory[],
  options: ComposeTargetLetterOptions,
): Promise<{ mail: OutgoingMail; pdf: Buffer }> {
  const sheet = targetLetterSheet({ campaign, organisation, signatories, date: letter.createdAt });
  // Loaded on first use, with pdfkit and fontkit: most worker processes never write a letter.
  const { buildTargetLetterPdf } = await import('./target-letter-pdf.js');
  const pdf = await buildTargetLetterPdf(sheet, options.fontDir);
  const csv = csvRow(['name', 'postcode', 'signed_at']) + signatories.map((s) => csvRow([s.name, s.postcode, s.signedAt.toISOString()])).join('');
  const logo = letterheadLogoUrl(campaign, organisation, options.publicBaseUrl);
  const mail: OutgoingMail = {
    from: { name: campaign.senderName, address: options.mailFrom },
    to: { name: campaign.targetName, address: campaign.targetEmail },
    replyTo: { name: campaign.senderName, address: replyAddressOf(campaign.replyToken, options.inboundDomain) },
    subject: sheet.subject,
    messageId: deterministicMessageId('target-letter', letter.id, options.mailFrom),
    text: targetLetterText(sheet),
    html: targetLetterHtml(sheet, logo),
    attachments: [
      { filename: BUNDLE_PDF_NAME, content: pdf, contentType: 'application/pdf' },
      { filename: BUNDLE_CSV_NAME, content: csv, contentType: 'text/csv; charset=utf-8' },
    ],
  };
  return { mail, pdf };
}
