/**
 * A message's header block. nodemailer's MimeNode knows every rule (address lists, encoded words,
 * folding, CR/LF stripped) but costs about 60 µs a message, most of the time it takes to build one.
 * In a broadcast the sender lines are the same in every message and the rest is nearly always plain
 * ASCII, so: sender lines are built by MimeNode once and kept, and a value made only of characters
 * that no rule changes is written as MimeNode would write it (folded by nodemailer's own foldLines).
 * Anything else goes through MimeNode. A property test holds both ways to the same bytes.
 */
import { LRUCache } from 'lru-cache';
import MimeNode from 'nodemailer/lib/mime-node';
import { foldLines } from 'nodemailer/lib/mime-funcs';
import type { Address, OutgoingMail } from './outgoing-mail.js';

/** The message-level headers the builder writes; the content type carries the MIME boundary. */
export interface HeaderFields {
  mail: OutgoingMail;
  contentType: string;
  date: Date;
}

// Characters MimeNode writes as they are, in these places: a name needs no quoting or encoding,
// an address no punycode, lower-casing or quoting (a dot-atom local part: no leading, trailing or
// double dot; a lower-case domain), a subject no encoded word.
const PLAIN_NAME = /^[A-Za-z0-9]+(?: [A-Za-z0-9]+)*$/;
const PLAIN_ADDRESS = /^[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*@[a-z0-9-]+(?:\.[a-z0-9-]+)+$/;
const PLAIN_SUBJECT = /^[A-Za-z0-9,.'!:;()&-]+(?: [A-Za-z0-9,.'!:;()&-]+)*$/;
const PLAIN_MESSAGE_ID = /^<[A-Za-z0-9.\-_+=@]+>$/;

let lastDate = { second: NaN, text: '' };

/** `Wed, 02 Dec 2026 19:14:00 +0000`, as MimeNode dates a message; the same for a whole second of messages. */
export function headerDate(date: Date): string {
  const second = Math.floor(date.getTime() / 1000);
  if (second !== lastDate.second) lastDate = { second, text: date.toUTCString().replace(/GMT/, '+0000') };
  return lastDate.text;
}

/** The headers as MimeNode writes them: the reference every other way must match. */
export function mimeNodeHeaders({ mail, contentType, date }: HeaderFields): string {
  const root = new MimeNode();
  root.setHeader('From', mail.from);
  root.setHeader('To', mail.to);
  if (mail.replyTo) root.setHeader('Reply-To', mail.replyTo);
  root.setHeader('Subject', mail.subject);
  root.setHeader('Message-ID', mail.messageId);
  if (mail.unsubscribeUrl) {
    // RFC 8058 one-click unsubscribe. The URL is ours (a signed token); a stray space or bracket
    // would still end the header's angle brackets early, so those go.
    root.setHeader('List-Unsubscribe', { prepared: true, foldLines: true, value: unsubscribeValue(mail.unsubscribeUrl) });
    root.setHeader('List-Unsubscribe-Post', 'List-Unsubscribe=One-Click');
  }
  root.setHeader('Date', headerDate(date));
  root.setHeader('Content-Type', contentType);
  return root.buildHeaders();
}

function unsubscribeValue(url: string): string {
  return `<${url.replace(/[\s<>]/g, '')}>`;
}

/** Builds header blocks, keeping the sender lines of recent senders. */
export function makeHeaderWriter(): (fields: HeaderFields) => string {
  const senderLines = new LRUCache<string, string>({ max: 64 });

  /** One address header as MimeNode writes it, kept: the From and Reply-To of a broadcast never change. */
  function addressLine(key: 'From' | 'Reply-To', address: Address): string {
    const cacheKey = `${key}\0${address.name}\0${address.address}`;
    let line = senderLines.get(cacheKey);
    if (line === undefined) {
      const node = new MimeNode();
      node.setHeader(key, address);
      // The first field of the block; MimeNode adds Date and MIME-Version after it.
      line = node.buildHeaders().split(/\r\n(?=\S)/)[0]!;
      senderLines.set(cacheKey, line);
    }
    return line;
  }

  return function writeHeaders(fields) {
    const { mail, contentType, date } = fields;
    const plain =
      PLAIN_NAME.test(mail.to.name) &&
      PLAIN_ADDRESS.test(mail.to.address) &&
      PLAIN_SUBJECT.test(mail.subject) &&
      PLAIN_MESSAGE_ID.test(mail.messageId) &&
      /^[a-z/]+; boundary="[A-Za-z0-9_-]+"$/.test(contentType);
    if (!plain) return mimeNodeHeaders(fields);
    const lines = [
      addressLine('From', mail.from),
      foldLines(`To: ${mail.to.name} <${mail.to.address}>`, 76),
      ...(mail.replyTo ? [addressLine('Reply-To', mail.replyTo)] : []),
      foldLines(`Subject: ${mail.subject}`, 76),
      foldLines(`Message-ID: ${mail.messageId}`, 76),
      ...(mail.unsubscribeUrl
        ? [foldLines(`List-Unsubscribe: ${unsubscribeValue(mail.unsubscribeUrl)}`, 76), 'List-Unsubscribe-Post: List-Unsubscribe=One-Click']
        : []),
      `Date: ${headerDate(date)}`,
      'MIME-Version: 1.0',
      foldLines(`Content-Type: ${contentType}`, 76),
    ];
    return lines.join('\r\n');
  };
}
