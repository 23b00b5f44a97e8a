/**
 * Who wrote a reply and when, as supporters and the public are told: the author is what the
 * organiser set when approving, else the From display name, else the From address; the date is the
 * letter's own (its Date header, or the date the organiser typed in), not when we received it.
 */
import type { ReplyRow } from './reply-queries.js';
import { formatLetterDate } from '../templates/merge-fields.js';

type Attributed = Pick<ReplyRow, 'author' | 'fromName' | 'fromAddress'>;

export function replyAuthor(reply: Attributed): string {
  return reply.author?.trim() || reply.fromName?.trim() || reply.fromAddress;
}

export function replyDate(reply: Pick<ReplyRow, 'datedAt' | 'receivedAt'>): Date {
  return reply.datedAt ?? reply.receivedAt;
}

const DAY = 24 * 60 * 60 * 1000;

/**
 * The letter's date from its Date header (postal-mime gives ISO, or the raw value when it does not
 * parse). A date that does not parse, or lies more than a day after the message reached us (a
 * misset clock), is no date at all: the reply is then dated by its arrival.
 */
export function letterDateOf(dateHeader: string | undefined, receivedAt: Date): Date | null {
  if (!dateHeader) return null;
  const date = new Date(dateHeader);
  if (Number.isNaN(date.getTime()) || date.getTime() > receivedAt.getTime() + DAY || date.getFullYear() < 1970) return null;
  return date;
}

/**
 * Text from outside (a display name, a name the organiser typed) placed literally into the
 * introduction template, which is Liquid and Markdown: characters either would read as syntax
 * ({{ }}, links, emphasis, HTML, headings) are left out, whitespace collapsed, and a link's scheme
 * broken, so the text can only ever render as itself in the mail's HTML and plain text alike.
 */
export function asLiteralText(text: string): string {
  return text
    .replace(/[\\`*_{}[\]<>#|~%]/g, '')
    .replace(/:\/\//g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Where the sender wrote from, when the author is a name rather than the address itself. */
function senderDomain(reply: Attributed): string | undefined {
  const author = replyAuthor(reply);
  if (author === reply.fromAddress || reply.author) return undefined;
  return reply.fromAddress.slice(reply.fromAddress.lastIndexOf('@') + 1) || undefined;
}

/**
 * The introduction supporters read above the reply, unless the organiser wrote their own: it names
 * who actually wrote and the letter's own date. A template (the supporter's name and the date they
 * signed are merged per message).
 */
export function defaultIntroduction(reply: Attributed & Pick<ReplyRow, 'datedAt' | 'receivedAt'>): string {
  const author = asLiteralText(replyAuthor(reply)) || 'The office we wrote to';
  const domain = senderDomain(reply);
  const from = domain ? `${author} (${asLiteralText(domain)})` : author;
  return [
    'Dear {{ supporter.first_name }},',
    '',
    `${from} has replied to the letter to {{ campaign.target.name }} that you signed on {{ signed_at }}. The reply is dated ${formatLetterDate(replyDate(reply))}, and follows in full below.`,
  ].join('\n');
}

/** The introduction a reply goes out with: the organiser's, or the default. */
export function introductionOf(reply: Attributed & Pick<ReplyRow, 'datedAt' | 'receivedAt' | 'introduction'>): string {
  return reply.introduction ?? defaultIntroduction(reply);
}
