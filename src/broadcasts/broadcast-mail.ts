/**
 * One broadcast message for one recipient: the organiser's template merged with the supporter's
 * details, framed with the campaign's identity and a visible unsubscribe link.
 */
import type { CampaignRow } from '../db/schema.js';
import type { LinkUrls } from '../links/link-urls.js';
import { broadcastMessageId } from '../mail/message-id.js';
import type { OutgoingMail } from '../mail/outgoing-mail.js';
import { forwardedReplyHtml, type ForwardedReply } from '../replies/forwarded-reply.js';
import { mergeDataFor } from '../templates/merge-fields.js';
import type { RenderedLetter } from '../templates/render-template.js';
import type { MergeData } from '../templates/merge-fields.js';
import { html, trustedHtml } from '../web/html.js';
import type { Recipient } from './recipients.js';

export interface MailOptions {
  mailFrom: string;
  inboundDomain: string;
  /** SECRET_KEY, for the opaque Message-ID. */
  secret: string;
  links: LinkUrls;
}

export function recipientMergeData(campaign: CampaignRow, recipient: Recipient, unsubscribeUrl: string): MergeData {
  return mergeDataFor({
    supporterName: recipient.name,
    postcode: recipient.postcode,
    campaignTitle: campaign.title,
    targetName: campaign.targetName,
    signedAt: recipient.signedAt,
    unsubscribeUrl,
  });
}

export function composeBroadcastMail(
  render: (data: MergeData) => RenderedLetter,
  broadcastId: string,
  campaign: CampaignRow,
  recipient: Recipient,
  options: MailOptions,
  reply?: ForwardedReply,
): OutgoingMail {
  const unsubscribeUrl = options.links.unsubscribeUrl({ supporterId: recipient.supporterId, campaignId: campaign.id });
  const message = render(recipientMergeData(campaign, recipient, unsubscribeUrl));
  return frameBroadcastMail(message, campaign, {
    mailFrom: options.mailFrom,
    to: { name: recipient.name, address: recipient.email },
    messageId: broadcastMessageId(broadcastId, recipient.supporterId, options.mailFrom, options.secret),
    footer: { text: `You receive this because you signed “${campaign.title}”.`, unsubscribeUrl },
    reply,
  });
}

/**
 * A merged message in the broadcast's frame: the campaign as sender, replies to its sender address,
 * the footer under the message. Supporters' copies carry their unsubscribe link (and its header);
 * a user's test carries none, since its reader is not a supporter.
 */
export function frameBroadcastMail(
  message: RenderedLetter,
  campaign: CampaignRow,
  frame: {
    mailFrom: string;
    to: OutgoingMail['to'];
    messageId: string;
    footer: { text: string; unsubscribeUrl?: string | undefined };
    reply?: ForwardedReply | undefined;
  },
): OutgoingMail {
  const { footer, reply } = frame;
  const unsubscribe = footer.unsubscribeUrl ? html` <a href="${footer.unsubscribeUrl}">Unsubscribe</a>.` : '';
  return {
    from: { name: campaign.senderName, address: frame.mailFrom },
    to: frame.to,
    replyTo: { name: campaign.senderName, address: campaign.senderEmail },
    subject: message.subject,
    messageId: frame.messageId,
    unsubscribeUrl: footer.unsubscribeUrl,
    attachments: reply?.attachments,
    text: `${message.text}${reply ? `\n\n----\n${reply.byline}\n\n${reply.text.trim()}` : ''}\n\n----\n${footer.text}${footer.unsubscribeUrl ? `\nUnsubscribe: ${footer.unsubscribeUrl}` : ''}`,
    html: html`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${message.subject}</title></head>
<body style="margin:0;padding:24px;background:#f6f6f4;font-family:Georgia,serif;color:#1d1d1b;line-height:1.5">
<div style="max-width:640px;margin:0 auto;background:#fff;padding:32px;border-radius:6px">${trustedHtml(message.html)}
${reply ? forwardedReplyHtml(reply) : ''}
<hr style="border:0;border-top:1px solid #ddd;margin:32px 0 16px">
<p style="font-family:Arial,sans-serif;font-size:13px;color:#555">${footer.text}${unsubscribe}</p>
</div></body></html>`.value,
  };
}
