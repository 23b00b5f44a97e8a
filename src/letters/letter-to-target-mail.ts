import { recipientMergeData, type MailOptions } from '../broadcasts/broadcast-mail.js';
import type { Recipient } from '../broadcasts/recipients.js';
import { replyAddressOf } from '../campaigns/campaign-view.js';
import type { CampaignRow } from '../db/schema.js';
import { broadcastMessageId } from '../mail/message-id.js';
import type { OutgoingMail } from '../mail/outgoing-mail.js';
import type { MergeData } from '../templates/merge-fields.js';
import type { RenderedLetter } from '../templates/render-template.js';
import { html, trustedHtml } from '../web/html.js';

/**
 * One supporter's merged letter, sent to the target "on behalf of" the supporter: From shows their
 * name via the campaign's sender, and Reply-To is the campaign's reply address, so the official
 * answer comes back to this service.
 */
export function composeLetterToTarget(
  render: (data: MergeData) => RenderedLetter,
  broadcastId: string,
  campaign: CampaignRow,
  recipient: Recipient,
  options: MailOptions,
): OutgoingMail {
  // The target gets no supporter's unsubscribe link.
  const letter = render(recipientMergeData(campaign, recipient, ''));
  return {
    from: { name: `${recipient.name} via ${campaign.senderName}`, address: options.mailFrom },
    to: { name: campaign.targetName, address: campaign.targetEmail },
    replyTo: { name: campaign.senderName, address: replyAddressOf(campaign.replyToken, options.inboundDomain) },
    subject: letter.subject,
    messageId: broadcastMessageId(broadcastId, recipient.supporterId, options.mailFrom, options.secret),
    text: letter.text,
    html: html`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${letter.subject}</title></head>
<body style="font-family:Georgia,serif;line-height:1.5;color:#1d1d1b">${trustedHtml(letter.html)}</body></html>`.value,
  };
}
