/**
 * A real SMTP server on loopback (smtp-server), standing in for the mail provider: it accepts mail,
 * keeps each message raw and parsed, and can be told to refuse an address with a given reply, a
 * number of times, to exercise retries (4xx) and bounces (5xx).
 */
import type { AddressInfo } from 'node:net';
import PostalMime, { type Email } from 'postal-mime';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  envelopeFrom: string;
  envelopeTo: string[];
  raw: string;
  parsed: Email;
  header(name: string): string | undefined;
}

interface Refusal {
  code: number;
  message: string;
  remaining: number;
}

export interface SmtpSink {
  url: string;
  received: ReceivedMail[];
  /** Refuse RCPT TO for `address` with `code`, `times` times (Infinity: always). */
  refuse(address: string, code: number, message: string, times?: number): void;
  waitFor(predicate: (mail: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  to(address: string): ReceivedMail[];
  close(): Promise<void>;
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const received: ReceivedMail[] = [];
  const refusals = new Map<string, Refusal>();

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    size: 10 * 1024 * 1024,
    onRcptTo(address, _session, callback) {
      const refusal = refusals.get(address.address.toLowerCase());
      if (refusal && refusal.remaining > 0) {
        refusal.remaining -= 1;
        const error = Object.assign(new Error(refusal.message), { responseCode: refusal.code });
        return callback(error);
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        PostalMime.parse(raw).then(
          (parsed) => {
            received.push({
              envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              envelopeTo: session.envelope.rcptTo.map((rcpt) => rcpt.address),
              raw,
              parsed,
              header: (name) => parsed.headers.find((h) => h.key === name.toLowerCase())?.value,
            });
            callback();
          },
          (error: Error) => callback(error),
        );
      });
    },
  });
  // A client that vanishes mid-conversation (a killed worker) resets its socket: expected here.
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;

  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    refuse(address, code, message, times = Infinity) {
      refusals.set(address.toLowerCase(), { code, message, remaining: times });
    },
    async waitFor(predicate, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = received.find(predicate);
        if (found) return found;
        if (Date.now() > deadline) throw new Error('timed out waiting for a mail at the SMTP sink');
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    to(address) {
      return received.filter((mail) => mail.envelopeTo.includes(address));
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
