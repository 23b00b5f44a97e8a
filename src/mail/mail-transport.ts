/**
 * How every message leaves the service: built (mime-message.ts), signed when DKIM is configured
 * (smtp/dkim-signature.ts) and sent over a pool of pipelined SMTP sessions (smtp/smtp-pool.ts).
 * Everything else hands it an OutgoingMail and gets back the SMTP server's acceptance, or an
 * SmtpError to classify with classifySendError.
 */
import { hostname } from 'node:os';
import { createMimeBuilder } from './mime-message.js';
import type { OutgoingMail } from './outgoing-mail.js';
import { makeDkimSigner, type DkimKey } from './smtp/dkim-signature.js';
import { SmtpPool } from './smtp/smtp-pool.js';
import type { SmtpServer } from './smtp/smtp-session.js';

export type { DkimKey } from './smtp/dkim-signature.js';

export interface MailTransport {
  /**
   * Resolves with the server's reply once it accepted the message (250); rejects otherwise.
   * `returnPath` is the envelope sender (MAIL FROM), the row's VERP address (return-path.ts): where
   * delivery reports and complaints about this message come back.
   */
  send(mail: OutgoingMail, returnPath: string): Promise<{ response: string }>;
  /**
   * Opens a connection now if none is open, so the handshake overlaps what a sender does before
   * its first message (claiming, loading recipients). A failure here is left to that first send,
   * which reports it.
   */
  warm(): void;
  close(): void;
}

/** Signed headers: the usual set plus both list headers, as bulk-sender rules require. */
const DKIM_HEADERS = [
  'from',
  'sender',
  'reply-to',
  'subject',
  'date',
  'message-id',
  'to',
  'cc',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
  'list-unsubscribe',
  'list-unsubscribe-post',
];

/**
 * Relays commonly limit messages per connection; starting a new one now and then costs a handshake
 * per hundred messages.
 */
const MESSAGES_PER_CONNECTION = 100;

export function createSmtpTransport(options: {
  url: string;
  poolSize: number;
  /**
   * How long the server may stay silent (connecting, greeting, or answering any command, the end
   * of DATA included) before the attempt fails as a connection error and is retried later. Without
   * a bound a server that never answers would hold a worker's batch, and its claim, forever.
   */
  timeoutSeconds: number;
  dkim?: DkimKey | undefined;
}): MailTransport {
  const pool = new SmtpPool(smtpServerAt(options.url, options.timeoutSeconds * 1000), {
    maxConnections: options.poolSize,
    maxMessagesPerConnection: MESSAGES_PER_CONNECTION,
  });
  const buildMessage = createMimeBuilder();
  const sign = options.dkim ? makeDkimSigner(options.dkim, DKIM_HEADERS) : (message: string) => message;

  return {
    async send(mail, returnPath) {
      const response = await pool.send(returnPath, mail.to.address, asSmtpData(sign(buildMessage(mail))));
      return { response };
    },
    warm() {
      pool.warm();
    },
    close() {
      pool.close();
    },
  };
}

/** `smtp://user:pass@host:port` (STARTTLS when offered) or `smtps://…` (TLS from the start). */
export function smtpServerAt(url: string, timeoutMs: number): SmtpServer {
  const parsed = new URL(url);
  const implicitTls = parsed.protocol === 'smtps:';
  const user = decodeURIComponent(parsed.username);
  return {
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: parsed.port ? Number(parsed.port) : implicitTls ? 465 : 587,
    implicitTls,
    auth: user ? { user, pass: decodeURIComponent(parsed.password) } : undefined,
    clientName: clientName(),
    // A host that does not even connect or greet within 10 s is down; waiting longer only delays the retry.
    connectTimeoutMs: Math.min(10_000, timeoutMs),
    replyTimeoutMs: timeoutMs,
  };
}

/** The EHLO name: this host's name when it is a domain name, else the address literal RFC 5321 allows. */
function clientName(): string {
  const name = hostname();
  return name.includes('.') ? name : '[127.0.0.1]';
}

/**
 * The message as DATA carries it (RFC 5321 §4.5.2): a dot at the start of a line doubled, and the
 * lone dot that ends it. Its line ends are CRLF already: the builder writes nothing else (tested).
 */
export function asSmtpData(message: string): Buffer {
  const stuffed = message.includes('\n.') ? message.replace(/\n\./g, '\n..') : message;
  return Buffer.from(`${stuffed}${stuffed.endsWith('\r\n') ? '' : '\r\n'}.\r\n`);
}
