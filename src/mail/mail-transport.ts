/**
 * The only module that talks to nodemailer. Everything else hands it an OutgoingMail and gets back
 * the SMTP server's acceptance, or an error to classify with classifySendError.
 */
import nodemailer from 'nodemailer';
import { createMimeBuilder } from './mime-message.js';
import type { OutgoingMail } from './outgoing-mail.js';

export interface MailTransport {
  /**
   * Resolves with the server's reply once it accepted the message (250); rejects otherwise.
   * `returnPath` is the envelope sender (MAIL FROM), the row's VERP address (return-path.ts): where
   * delivery reports and complaints about this message come back.
   */
  send(mail: OutgoingMail, returnPath: string): Promise<{ response: string }>;
  close(): void;
}

export interface DkimKey {
  domainName: string;
  keySelector: string;
  privateKey: string;
}

/** Signed headers: the usual set plus both list headers, as bulk-sender rules require. */
const DKIM_HEADERS =
  'from:sender:reply-to:subject:date:message-id:to:cc:mime-version:content-type:content-transfer-encoding:list-unsubscribe:list-unsubscribe-post';

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
  const timeoutMs = options.timeoutSeconds * 1000;
  const transport = nodemailer.createTransport({
    url: options.url,
    pool: true,
    maxConnections: options.poolSize,
    // A host that does not even connect or greet within 10 s is down; waiting longer only delays the retry.
    connectionTimeout: Math.min(10_000, timeoutMs),
    greetingTimeout: Math.min(10_000, timeoutMs),
    socketTimeout: timeoutMs,
    ...(options.dkim ? { dkim: { ...options.dkim, headerFieldNames: DKIM_HEADERS } } : {}),
  });

  const buildMessage = createMimeBuilder();

  return {
    async send(mail, returnPath) {
      const info = await transport.sendMail({
        raw: buildMessage(mail),
        envelope: { from: returnPath, to: mail.to.address },
      });
      return { response: info.response };
    },
    close() {
      transport.close();
    },
  };
}
