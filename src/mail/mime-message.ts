/**
 * Builds each outgoing message as one string, which the SMTP client signs and sends. Headers are
 * nodemailer's rules (mail-headers.ts: MimeNode, or its output for plain values), but bodies are
 * encoded here, so that what repeats across a broadcast is encoded once per process, not once per
 * recipient: quoted-printable line by line from a cache (a reply's lines are the same in every
 * message; only lines with a name or a link differ), and each attachment's base64 part once.
 * nodemailer's own composer would build a stream pipeline per MIME part and encode the whole body
 * again for every recipient, the bulk of a broadcast worker's CPU.
 */
import { randomBytes } from 'node:crypto';
import MimeNode from 'nodemailer/lib/mime-node';
import { encode as encodeQuotedPrintable, wrap as wrapQuotedPrintable } from 'nodemailer/lib/qp';
import { makeHeaderWriter } from './mail-headers.js';
import type { OutgoingMail } from './outgoing-mail.js';

type Attachment = NonNullable<OutgoingMail['attachments']>[number];

/** Characters of lines kept encoded (a broadcast's letter and reply are a few hundred lines); then it starts over. */
const LINE_CACHE_CHARS = 2_000_000;
/** Lines met once (a message's own: a name, a link), remembered until this many, then forgotten together. */
const SEEN_ONCE_LINES = 8_000;

export type MimeBuilder = (mail: OutgoingMail) => string;

export function createMimeBuilder(): MimeBuilder {
  // Random per process, counted per message: a boundary never occurs in the content by chance.
  const boundaryBase = randomBytes(12).toString('hex');
  let boundaryCount = 0;
  const encodedLines = new Map<string, string>();
  const seenOnce = new Set<string>();
  let cachedChars = 0;
  const attachmentParts = new WeakMap<Attachment, string>();
  const writeHeaders = makeHeaderWriter();

  /**
   * A line is kept encoded from its second use on: the letter's lines recur in every message, while
   * a line met once (a name, a link) most likely never recurs, and would only crowd the others out.
   * Lines are kept as copies: the line itself is a slice of the message text, and would keep the
   * whole message alive, so memory would grow with every message sent.
   */
  function remember(line: string, encoded: string): void {
    if (!seenOnce.has(line)) {
      if (seenOnce.size >= SEEN_ONCE_LINES) seenOnce.clear();
      seenOnce.add(Buffer.from(line).toString());
      return;
    }
    seenOnce.delete(line);
    if (cachedChars > LINE_CACHE_CHARS) {
      encodedLines.clear();
      cachedChars = 0;
    }
    encodedLines.set(Buffer.from(line).toString(), encoded);
    cachedChars += line.length + encoded.length;
  }

  function quotedPrintable(text: string): string {
    // Splitting on a string is several times faster than on a pattern; most texts have no CR at all.
    const lines = text.includes('\r') ? text.split(/\r\n|\r|\n/) : text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      let encoded = encodedLines.get(line);
      if (encoded === undefined) {
        // Per line is the same as per text: quoted-printable never carries state across a line break.
        encoded = wrapQuotedPrintable(encodeQuotedPrintable(line), 76);
        remember(line, encoded);
      }
      lines[i] = encoded;
    }
    return lines.join('\r\n');
  }

  function attachmentPart(attachment: Attachment): string {
    let part = attachmentParts.get(attachment);
    if (part === undefined) {
      const node = new MimeNode('multipart/mixed', { baseBoundary: boundaryBase }).createChild(attachment.contentType, {
        filename: attachment.filename,
      });
      node.setHeader('Content-Transfer-Encoding', 'base64');
      const content = typeof attachment.content === 'string' ? Buffer.from(attachment.content) : attachment.content;
      const base64 = content.toString('base64').replace(/.{76}/g, '$&\r\n');
      part = `${node.buildHeaders()}\r\n\r\n${base64}`;
      attachmentParts.set(attachment, part);
    }
    return part;
  }

  return function buildMessage(mail) {
    const id = `${boundaryBase}-${(boundaryCount++).toString(36)}`;
    const alternative = `--_alt-${id}`;
    const mixed = `--_mix-${id}`;
    const attachments = mail.attachments ?? [];

    const headers = writeHeaders({
      mail,
      contentType: attachments.length > 0 ? `multipart/mixed; boundary="${mixed}"` : `multipart/alternative; boundary="${alternative}"`,
      date: new Date(),
    });

    const body = [
      `--${alternative}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n`,
      quotedPrintable(mail.text),
      `\r\n--${alternative}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n`,
      quotedPrintable(mail.html),
      `\r\n--${alternative}--\r\n`,
    ];
    if (attachments.length > 0) {
      body.unshift(`--${mixed}\r\nContent-Type: multipart/alternative; boundary="${alternative}"\r\n\r\n`);
      for (const attachment of attachments) body.push(`--${mixed}\r\n`, attachmentPart(attachment), '\r\n');
      body.push(`--${mixed}--\r\n`);
    }
    return `${headers}\r\n\r\n${body.join('')}`;
  };
}
