/**
 * The content of the one-to-one mails: confirmation request, the supporter's copy of the letter,
 * and the "your data" link. Pure functions: ledger row context in, OutgoingMail out.
 */
import type { LinkUrls } from '../links/link-urls.js';
import type { SupporterContext } from '../supporters/supporter-queries.js';
import type { TransactionalKind } from './transactional-ledger.js';
import { mergeDataFor } from '../templates/merge-fields.js';
import { renderLetter } from '../templates/render-template.js';
import { html, trustedHtml, type SafeHtml } from '../web/html.js';
import { deterministicMessageId, type MessageIdKind } from '../mail/message-id.js';
import type { OutgoingMail } from '../mail/outgoing-mail.js';
import { forwardedReplyHtml, type ForwardedReply } from '../replies/forwarded-reply.js';

const MESSAGE_ID_KIND: Record<SupporterMailKind, MessageIdKind> = {
  confirmation: 'confirmation',
  letter_copy: 'letter-copy',
  privacy_link: 'privacy-link',
};

export interface ComposeOptions {
  mailFrom: string;
  links: LinkUrls;
}

export function layout(title: string, body: SafeHtml, footer: SafeHtml): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title></head>
<body style="margin:0;padding:24px;background:#f6f6f4;font-family:Georgia,'Times New Roman',serif;color:#1d1d1b;line-height:1.5">
<div style="max-width:640px;margin:0 auto;background:#fff;padding:32px;border-radius:6px">
${body}
<hr style="border:0;border-top:1px solid #ddd;margin:32px 0 16px">
<div style="font-family:Arial,sans-serif;font-size:13px;color:#555">${footer}</div>
</div></body></html>`.value;
}

export function button(url: string, label: string): SafeHtml {
  return html`<p style="margin:24px 0"><a href="${url}" style="display:inline-block;background:#14508c;color:#fff;padding:12px 20px;border-radius:4px;text-decoration:none;font-family:Arial,sans-serif">${label}</a></p>`;
}

/** The one-to-one mail a supporter gets (organiser notifications are src/notifications). */
export type SupporterMailKind = Extract<TransactionalKind, 'confirmation' | 'letter_copy' | 'privacy_link'>;

/** A short mail whose point is one link: listed in the text, a button in the HTML. */
function linkMail(
  common: Pick<OutgoingMail, 'from' | 'to' | 'replyTo' | 'messageId'>,
  name: string,
  mail: { subject: string; lead: string[]; leadHtml: SafeHtml; url: string; buttonLabel: string; showUrl: boolean; footer: string },
): OutgoingMail {
  const copyable = mail.showUrl ? html`\n<p style="font-size:14px">Or copy this link into your browser: <br>${mail.url}</p>` : '';
  return {
    ...common,
    subject: mail.subject,
    text: [`Dear ${name},`, '', ...mail.lead, '', mail.url, '', mail.footer].join('\n'),
    html: layout(mail.subject, html`<p>Dear ${name},</p>\n${mail.leadHtml}\n${button(mail.url, mail.buttonLabel)}${copyable}`, html`${mail.footer}`),
  };
}

export function composeTransactionalMail(
  kind: SupporterMailKind,
  messageRowId: string,
  { supporter, contact, campaign }: SupporterContext,
  options: ComposeOptions,
  /** For a letter copy sent after the official reply was forwarded: the reply goes with it. */
  reply?: ForwardedReply,
): OutgoingMail {
  const ref = { supporterId: supporter.id, campaignId: campaign.id };
  const common = {
    from: { name: campaign.senderName, address: options.mailFrom },
    to: { name: supporter.name, address: contact.email },
    replyTo: { name: campaign.senderName, address: campaign.senderEmail },
    messageId: deterministicMessageId(MESSAGE_ID_KIND[kind], messageRowId, options.mailFrom),
  };

  if (kind === 'confirmation') {
    return linkMail(common, supporter.name, {
      subject: `Please confirm your signature: ${campaign.title}`,
      lead: [`Thank you for signing “${campaign.title}”, the letter to ${campaign.targetName}.`, 'Please confirm your signature by opening this link:'],
      leadHtml: html`<p>Thank you for signing “${campaign.title}”, the letter to ${campaign.targetName}. Please confirm your signature:</p>`,
      url: options.links.confirmUrl(ref),
      buttonLabel: 'Confirm my signature',
      showUrl: true,
      footer: 'If you did not sign, ignore this email: nothing is added without your confirmation.',
    });
  }

  if (kind === 'privacy_link') {
    return linkMail(common, supporter.name, {
      subject: `Your data held by ${campaign.senderName}`,
      lead: ['You asked for the data we hold about you. Open this link to download it, or to erase it:'],
      leadHtml: html`<p>You asked for the data we hold about you. You can download it, or erase it:</p>`,
      url: options.links.privacyUrl(ref),
      buttonLabel: 'See my data',
      showUrl: false,
      footer: 'If you did not ask, ignore this email: the link expires by itself.',
    });
  }

  // The supporter's personal copy of the letter, merged with their details.
  const unsubscribeUrl = options.links.unsubscribeUrl(ref);
  const letter = renderLetter(
    { subject: campaign.letterSubject, body: campaign.letterBody },
    mergeDataFor({
      supporterName: supporter.name,
      postcode: supporter.postcode,
      campaignTitle: campaign.title,
      targetName: campaign.targetName,
      signedAt: supporter.createdAt,
      unsubscribeUrl,
    }),
  );
  const copy = `Thank you for supporting “${campaign.title}”. This is your copy of the letter to ${campaign.targetName}, with your name on it.`;
  // Each case says what is true for this supporter: the reply is still to come, or it is here.
  const intro = reply
    ? `${copy} The letter has already been answered: ${reply.author} replied on ${reply.date}, and the reply follows your letter below.`
    : `${copy} When the official reply comes, we will send it to you.`;
  return {
    ...common,
    subject: letter.subject,
    unsubscribeUrl,
    attachments: reply?.attachments,
    text: [
      `Dear ${supporter.name},`,
      '',
      intro,
      '',
      '----',
      '',
      letter.text,
      ...(reply ? ['', '----', `The official reply: ${reply.byline}`, '', reply.text.trim()] : []),
      '',
      '----',
      `Unsubscribe from this campaign: ${unsubscribeUrl}`,
    ].join('\n'),
    html: layout(
      letter.subject,
      html`<p>Dear ${supporter.name},</p><p>${intro}</p>
<div style="border-left:3px solid #14508c;padding-left:16px;margin:24px 0">${trustedHtml(letter.html)}</div>
${reply ? html`<h2 style="font-size:20px;margin:32px 0 0">The official reply</h2>${forwardedReplyHtml(reply)}` : ''}`,
      html`You receive this because you signed “${campaign.title}”. <a href="${unsubscribeUrl}">Unsubscribe</a>.`,
    ),
  };
}
