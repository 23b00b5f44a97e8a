/**
 * The content of the one-to-one mails: confirmation request, the supporter's copy of the letter,
 * and the "your data" link. Pure functions: ledger row context in, OutgoingMail out.
 */
import type { LinkUrls } from '../links/link-urls.js';
import type { SupporterContext, TransactionalKind } from '../supporters/supporter-queries.js';
import { mergeDataFor } from '../templates/merge-fields.js';
import { renderLetter } from '../templates/render-template.js';
import { html, trustedHtml, type SafeHtml } from '../web/html.js';
import { deterministicMessageId, type OutgoingMail } from './mail-transport.js';
import type { ForwardedReply } from '../broadcasts/broadcast-mail.js';

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

export function composeTransactionalMail(
  kind: TransactionalKind,
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
    messageId: deterministicMessageId(kind.replace('_', '-'), messageRowId, options.mailFrom),
  };

  if (kind === 'confirmation') {
    const confirmUrl = options.links.confirmUrl(ref);
    const subject = `Please confirm your signature: ${campaign.title}`;
    return {
      ...common,
      subject,
      text: [
        `Dear ${supporter.name},`,
        '',
        `Thank you for signing “${campaign.title}”, the letter to ${campaign.targetName}.`,
        'Please confirm your signature by opening this link:',
        '',
        confirmUrl,
        '',
        'If you did not sign, ignore this email: nothing is added without your confirmation.',
      ].join('\n'),
      html: layout(
        subject,
        html`<p>Dear ${supporter.name},</p>
<p>Thank you for signing “${campaign.title}”, the letter to ${campaign.targetName}. Please confirm your signature:</p>
${button(confirmUrl, 'Confirm my signature')}
<p style="font-size:14px">Or copy this link into your browser: <br>${confirmUrl}</p>`,
        html`If you did not sign, ignore this email: nothing is added without your confirmation.`,
      ),
    };
  }

  if (kind === 'privacy_link') {
    const privacyUrl = options.links.privacyUrl(ref);
    const subject = `Your data held by ${campaign.senderName}`;
    return {
      ...common,
      subject,
      text: [
        `Dear ${supporter.name},`,
        '',
        'You asked for the data we hold about you. Open this link to download it, or to erase it:',
        '',
        privacyUrl,
        '',
        'If you did not ask, ignore this email: the link expires by itself.',
      ].join('\n'),
      html: layout(
        subject,
        html`<p>Dear ${supporter.name},</p><p>You asked for the data we hold about you. You can download it, or erase it:</p>
${button(privacyUrl, 'See my data')}`,
        html`If you did not ask, ignore this email: the link expires by itself.`,
      ),
    };
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
  const intro = `Thank you for supporting “${campaign.title}”. This is your copy of the letter to ${campaign.targetName}, with your name on it. When the official reply comes, we will send it to you.`;
  const replyIntro = `${campaign.targetName} has already replied. Their reply follows the letter.`;
  return {
    ...common,
    subject: letter.subject,
    unsubscribeUrl,
    attachments: reply?.attachments,
    text: [
      `Dear ${supporter.name},`,
      '',
      intro,
      ...(reply ? ['', replyIntro] : []),
      '',
      '----',
      '',
      letter.text,
      ...(reply ? ['', '----', '', reply.text.trim()] : []),
      '',
      '----',
      `Unsubscribe from this campaign: ${unsubscribeUrl}`,
    ].join('\n'),
    html: layout(
      letter.subject,
      html`<p>Dear ${supporter.name},</p><p>${intro}</p>${reply ? html`<p>${replyIntro}</p>` : ''}
<div style="border-left:3px solid #14508c;padding-left:16px;margin:24px 0">${trustedHtml(letter.html)}</div>
${reply ? html`<h2>The official reply</h2><div style="border-left:3px solid #14508c;padding-left:16px;margin:24px 0">${trustedHtml(reply.html)}</div>` : ''}`,
      html`You receive this because you signed “${campaign.title}”. <a href="${unsubscribeUrl}">Unsubscribe</a>.`,
    ),
  };
}
