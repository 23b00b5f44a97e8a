/**
 * One broadcast message for one recipient: the organiser's template merged with the supporter's
 * details, framed with the campaign's identity and a visible unsubscribe link.
 */
import type { CampaignRow } from '../db/schema.js';
import type { LinkUrls } from '../links/link-urls.js';
import { deterministicMessageId, type OutgoingMail } from '../mail/mail-transport.js';
import { mergeDataFor } from '../templates/merge-fields.js';
import type { RenderedLetter } from '../templates/render-template.js';
import type { MergeData } from '../templates/merge-fields.js';
import { html, trustedHtml, type SafeHtml } from '../web/html.js';
import type { Recipient } from './broadcast-queries.js';
import { replyAddressOf } from '../campaigns/campaign-view.js';

export interface MailOptions {
  mailFrom: string;
  inboundDomain: string;
  links: LinkUrls;
}

/** An official reply carried under the personalised introduction, as received (text, safe HTML, files). */
export interface ForwardedReply {
  /** Who wrote and the letter's date, shown above it: "Conflict Department <…@fco.gov.uk>, 17 June 2014". */
  byline: string;
  /** Who wrote (see reply-attribution.ts) and the letter's own date, "17 June 2014". */
  author: string;
  date: string;
  text: string;
  html: string;
  attachments: Array<{ filename: string; content: Buffer; contentType: string }>;
}

/** The reply as it appears under an introduction: its byline, then the letter as received. */
export function forwardedReplyHtml(reply: ForwardedReply): SafeHtml {
  const attached = reply.attachments.map((a) => a.filename).join(', ');
  return html`<p style="font-family:Arial,sans-serif;font-size:13px;color:#555;margin:24px 0 8px">${reply.byline}${attached ? html`<br>Attached: ${attached}` : ''}</p>
<div style="border-left:3px solid #14508c;padding-left:16px;margin:0 0 24px">${trustedHtml(reply.html)}</div>`;
}

export function broadcastMessageId(broadcastId: string, supporterId: string, mailFrom: string): string {
  return deterministicMessageId('broadcast', `${broadcastId}.${supporterId}`, mailFrom);
}

function recipientMergeData(campaign: CampaignRow, recipient: Recipient, unsubscribeUrl: string): MergeData {
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
  const footer = `You receive this because you signed “${campaign.title}”.`;
  return {
    from: { name: campaign.senderName, address: options.mailFrom },
    to: { name: recipient.name, address: recipient.email },
    replyTo: { name: campaign.senderName, address: campaign.senderEmail },
    subject: message.subject,
    messageId: broadcastMessageId(broadcastId, recipient.supporterId, options.mailFrom),
    unsubscribeUrl,
    attachments: reply?.attachments,
    text: `${message.text}${reply ? `\n\n----\n${reply.byline}\n\n${reply.text.trim()}` : ''}\n\n----\n${footer}\nUnsubscribe: ${unsubscribeUrl}`,
    html: html`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${message.subject}</title></head>
<body style="margin:0;padding:24px;background:#f6f6f4;font-family:Georgia,serif;color:#1d1d1b;line-height:1.5">
<div style="max-width:640px;margin:0 auto;background:#fff;padding:32px;border-radius:6px">${trustedHtml(message.html)}
${reply ? forwardedReplyHtml(reply) : ''}
<hr style="border:0;border-top:1px solid #ddd;margin:32px 0 16px">
<p style="font-family:Arial,sans-serif;font-size:13px;color:#555">${footer} <a href="${unsubscribeUrl}">Unsubscribe</a>.</p>
</div></body></html>`.value,
  };
}

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
    messageId: broadcastMessageId(broadcastId, recipient.supporterId, options.mailFrom),
    text: letter.text,
    html: html`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${letter.subject}</title></head>
<body style="font-family:Georgia,serif;line-height:1.5;color:#1d1d1b">${trustedHtml(letter.html)}</body></html>`.value,
  };
}
