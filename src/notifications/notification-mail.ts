/**
 * What an organiser's owners are told: a reply arrived (forwarded already, or waiting for them with
 * the reason), a broadcast completed or paused itself (with its counts). Pure: context in, mail out.
 */
import type { DeliveryCounts } from '../broadcasts/delivery-ledger.js';
import type { CampaignRow } from '../db/schema.js';
import { deterministicMessageId, type MessageIdKind } from '../mail/message-id.js';
import type { OutgoingMail } from '../mail/outgoing-mail.js';
import { button as mailButton, layout as mailLayout } from '../transactional/transactional-mail.js';
import type { ReplyRow } from '../replies/reply-queries.js';
import { replyAuthor, replyDate } from '../replies/reply-attribution.js';
import { formatLetterDate } from '../templates/merge-fields.js';
import { html, type SafeHtml } from '../web/html.js';
import type { BroadcastEndDetails } from './record-notification.js';

export type NotificationContext =
  | { kind: 'reply_arrived'; campaign: CampaignRow; reply: ReplyRow }
  | {
      kind: 'broadcast_completed' | 'broadcast_paused';
      campaign: CampaignRow;
      broadcast: { id: string; kind: 'letter' | 'update' | 'reply'; audience: 'supporters' | 'target' };
      details: BroadcastEndDetails;
    };

export interface NotificationOptions {
  mailFrom: string;
  /** An absolute URL for a path of the organiser web app, e.g. /app/campaigns/:id/replies. */
  appUrl(path: string): string;
}

interface Said {
  subject: string;
  paragraphs: string[];
  facts: Array<[string, string]>;
  link: { url: string; label: string };
}

function whatBroadcast(context: Extract<NotificationContext, { broadcast: unknown }>): string {
  const { broadcast, campaign } = context;
  if (broadcast.audience === 'target') return `The letter to ${campaign.targetName}`;
  if (broadcast.kind === 'reply') return 'The forwarded reply';
  if (broadcast.kind === 'update') return 'Your update to supporters';
  return 'Your letter to supporters';
}

function countFacts(counts: DeliveryCounts): Array<[string, string]> {
  const n = (value: number) => value.toLocaleString('en-GB');
  const facts: Array<[string, string]> = [['Sent', n(counts.sent)]];
  if (counts.failed + counts.bounced > 0) facts.push(['Not delivered (failed or bounced)', n(counts.failed + counts.bounced)]);
  if (counts.skipped > 0) facts.push(['Skipped (unsubscribed or suppressed since)', n(counts.skipped)]);
  const waiting = counts.pending + counts.retry + counts.sending;
  if (waiting > 0) facts.push(['Still to send', n(waiting)]);
  return facts;
}

function replyArrived(context: Extract<NotificationContext, { kind: 'reply_arrived' }>, options: NotificationOptions): Said {
  const { campaign, reply } = context;
  const author = replyAuthor(reply);
  const facts: Array<[string, string]> = [
    ['From', reply.fromName ? `${reply.fromName} <${reply.fromAddress}>` : reply.fromAddress],
    ['Subject', reply.subject],
    ['Dated', formatLetterDate(replyDate(reply))],
    ['Received', formatLetterDate(reply.receivedAt)],
  ];
  const link = { url: options.appUrl(`/app/campaigns/${campaign.id}/replies`), label: 'See the reply' };
  if (reply.status === 'forwarded') {
    return {
      subject: `A reply to “${campaign.title}” has been forwarded to your supporters`,
      paragraphs: [
        `${author} replied to “${campaign.title}”. It came from a sender you allowed, so it was trusted and forwarded to every supporter, as the campaign’s reply policy says.`,
      ],
      facts,
      link,
    };
  }
  if (reply.status === 'rejected') {
    return {
      subject: `A reply to “${campaign.title}” arrived (rejected since)`,
      paragraphs: [`${author} replied to “${campaign.title}”. It has since been rejected and will not be forwarded.`],
      facts,
      link,
    };
  }
  return {
    subject: `A reply to “${campaign.title}” is waiting for you`,
    paragraphs: [
      `${author} replied to “${campaign.title}”. It has not gone to your supporters: it waits for you to approve or reject it.`,
      `Why it waits: ${reply.reason ?? 'the campaign forwards replies after approval'}.`,
    ],
    facts,
    link: { ...link, label: 'Approve or reject the reply' },
  };
}

function broadcastEnded(context: Extract<NotificationContext, { broadcast: unknown }>, options: NotificationOptions): Said {
  const what = whatBroadcast(context);
  const link = { url: options.appUrl(`/app/campaigns/${context.campaign.id}`), label: 'Open the campaign' };
  if (context.kind === 'broadcast_completed') {
    return {
      subject: `${what} for “${context.campaign.title}” has been sent`,
      paragraphs: [`${what} for “${context.campaign.title}” has finished sending.`],
      facts: countFacts(context.details.counts),
      link,
    };
  }
  return {
    subject: `Sending paused: ${what.toLowerCase()} for “${context.campaign.title}”`,
    paragraphs: [
      `${what} for “${context.campaign.title}” paused itself: too many messages were refused. Nothing more goes out until you resume it, which carries on where it stopped.`,
      `Why: ${context.details.reason ?? 'the error budget was exceeded'}.`,
    ],
    facts: countFacts(context.details.counts),
    link: { ...link, label: 'See the broadcast and resume it' },
  };
}

export function composeNotificationMail(messageRowId: string, recipient: string, context: NotificationContext, options: NotificationOptions): OutgoingMail {
  const said = context.kind === 'reply_arrived' ? replyArrived(context, options) : broadcastEnded(context, options);
  const factRows: SafeHtml[] = said.facts.map(
    ([label, value]) => html`<tr><th style="text-align:left;padding:4px 16px 4px 0;font-weight:normal;color:#555;vertical-align:top">${label}</th><td style="padding:4px 0">${value}</td></tr>`,
  );
  return {
    from: { name: 'Campaign letters', address: options.mailFrom },
    to: { name: '', address: recipient },
    subject: said.subject,
    messageId: deterministicMessageId(context.kind.replace('_', '-') as MessageIdKind, messageRowId, options.mailFrom),
    text: [
      ...said.paragraphs.flatMap((paragraph) => [paragraph, '']),
      ...said.facts.map(([label, value]) => `${label}: ${value}`),
      '',
      `${said.link.label}: ${said.link.url}`,
    ].join('\n'),
    html: mailLayout(
      said.subject,
      html`${said.paragraphs.map((paragraph) => html`<p>${paragraph}</p>`)}
<table style="font-family:Arial,sans-serif;font-size:14px;border-collapse:collapse;margin:16px 0">${factRows}</table>
${mailButton(said.link.url, said.link.label)}`,
      html`You receive this as an owner of the campaign “${context.campaign.title}” (${context.campaign.senderName}).`,
    ),
  };
}
