/**
 * Individual mode: one supporter's merged letter, sent to the target "on behalf of" the supporter,
 * as a letter (letterhead, address block, date, the letter, their signature), laid out as the
 * bundle's letter is (bundle-letter-mail.ts). From shows their name via the campaign's sender, and
 * Reply-To is the campaign's reply address, so the official answer comes back to this service.
 */
import { recipientMergeData, type MailOptions } from '../broadcasts/broadcast-mail.js';
import type { Recipient } from '../broadcasts/recipients.js';
import { replyAddressOf } from '../campaigns/campaign-view.js';
import type { Database } from '../db/client.js';
import type { CampaignRow } from '../db/schema.js';
import { broadcastMessageId } from '../mail/message-id.js';
import type { OutgoingMail } from '../mail/outgoing-mail.js';
import { logoPath } from '../organisers/logo-url.js';
import type { OrganisationIdentity } from '../organisers/organisation-identity.js';
import { findLogoVersion } from '../organisers/organiser-profile.js';
import type { MergeData } from '../templates/merge-fields.js';
import type { RenderedLetter } from '../templates/render-template.js';
import { letterMailHtml, letterMailText } from './bundle-letter-mail.js';
import { individualLetterSheet } from './letter-sheet.js';

/** What every letter of one broadcast shares: the letterhead, its logo's address, the letter's date. */
export interface IndividualLetterFrame {
  organisation: OrganisationIdentity;
  /** Absolute: the mail client loads it from us. */
  logoUrl: string | null;
  /** The day the organiser asked for the letter to be delivered: every retry sends the same letter. */
  date: Date;
}

function noteFor(campaign: CampaignRow, recipient: Recipient): string {
  return `A letter from ${recipient.name}, one of the supporters of “${campaign.title}”, a campaign of ${campaign.senderName}. Each supporter’s letter comes as an email of its own. Replying to this email reaches the campaign.`;
}

export function composeIndividualLetter(
  render: (data: MergeData) => RenderedLetter,
  broadcastId: string,
  campaign: CampaignRow,
  recipient: Recipient,
  options: MailOptions,
  frame: IndividualLetterFrame,
): OutgoingMail {
  // The target gets no supporter's unsubscribe link.
  const letter = render(recipientMergeData(campaign, recipient, ''));
  const sheet = individualLetterSheet({ campaign, organisation: frame.organisation, letter, signer: recipient, date: frame.date });
  const note = noteFor(campaign, recipient);
  return {
    from: { name: `${recipient.name} via ${campaign.senderName}`, address: options.mailFrom },
    to: { name: campaign.targetName, address: campaign.targetEmail },
    replyTo: { name: campaign.senderName, address: replyAddressOf(campaign.replyToken, options.inboundDomain) },
    subject: letter.subject,
    messageId: broadcastMessageId(broadcastId, recipient.supporterId, options.mailFrom, options.secret),
    text: letterMailText(sheet, note),
    html: letterMailHtml(sheet, frame.logoUrl, note),
  };
}

/** The frame for one broadcast's letters; the organisation as already read for the batch. */
export async function loadIndividualLetterFrame(
  db: Database,
  campaign: CampaignRow,
  organisation: OrganisationIdentity | undefined,
  date: Date,
  absoluteUrl: (path: string) => string,
): Promise<IndividualLetterFrame> {
  const logoVersion = await findLogoVersion(db, campaign.organiserId);
  return {
    // Always found (campaigns restrict their organiser's deletion); the sender's name if not.
    organisation: organisation ?? { name: campaign.senderName, website: null, postalAddress: null },
    logoUrl: logoVersion ? absoluteUrl(logoPath(campaign.organiserId, logoVersion)) : null,
    date,
  };
}
