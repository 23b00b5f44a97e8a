/**
 * A real SMTP server on loopback (smtp-server), standing in for the mail provider: it accepts mail,
 * keeps each message raw and parsed, and can be told to refuse an address with a given reply, a
 * number of times, to exercise retries (4xx) and bounces (5xx); to refuse a burst of messages
 * whoever they are for; or to answer slowly.
 */
import type { AddressInfo, Socket } from 'node:net';
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

/** Where in the transaction a burst refusal answers: at RCPT TO, or after the whole message. */
export type RefusalStage = 'rcpt' | 'data';

export interface SmtpSink {
  url: string;
  received: ReceivedMail[];
  /** How many connections dropDuring() closed. */
  readonly droppedConnections: number;
  /** Refuse RCPT TO for `address` with `code`, `times` times (Infinity: always). */
  refuse(address: string, code: number, message: string, times?: number): void;
  /** Close the connection in the middle of DATA for mail to `address`, `times` times. */
  dropDuring(address: string, times?: number): void;
  /** Refuse every message at the end of DATA with `code` (undefined: accept again). */
  refuseAllData(code: number | undefined, message?: string): void;
  /**
   * Refuse the next `count` messages, whatever their recipient, with `code` at `stage` (a burst of
   * 451 greylisting, or 421 "service closing", after which the connection is closed as a real server does).
   */
  refuseNext(count: number, code: number, message: string, stage?: RefusalStage): void;
  /** How many messages refuseNext() has refused so far. */
  readonly burstRefusals: number;
  /**
   * Keep the next `count` messages (they are received) but answer their end of DATA only after
   * `ms`: a client that gives up first never learns they were accepted.
   */
  delayNext(count: number, ms: number): void;
  /** How many replies delayNext() has held back so far. */
  readonly delayedReplies: number;
  waitFor(predicate: (mail: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  /** Stop listening (connections are refused) until resume(); mail already received stays. */
  pause(): Promise<void>;
  resume(): Promise<void>;
  to(address: string): ReceivedMail[];
  close(): Promise<void>;
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const received: ReceivedMail[] = [];
  const refusals = new Map<string, Refusal>();
  const drops = new Map<string, number>();
  let dataRefusal: { code: number; message: string } | undefined;
  let burst: { code: number; message: string; stage: RefusalStage; remaining: number } | undefined;
  let burstRefusals = 0;
  let delay: { ms: number; remaining: number } | undefined;
  let delayedReplies = 0;
  let dropped = 0;
  const smtpError = (code: number, message: string) => Object.assign(new Error(message), { responseCode: code });
  const takeBurst = (stage: RefusalStage) => {
    if (!burst || burst.stage !== stage || burst.remaining <= 0) return undefined;
    burst.remaining -= 1;
    burstRefusals += 1;
    return smtpError(burst.code, burst.message);
  };
  const sockets = new Map<number, Socket>();

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    size: 10 * 1024 * 1024,
    onRcptTo(address, _session, callback) {
      const refusal = refusals.get(address.address.toLowerCase());
      if (refusal && refusal.remaining > 0) {
        refusal.remaining -= 1;
        return callback(smtpError(refusal.code, refusal.message));
      }
      callback(takeBurst('rcpt'));
    },
    onData(stream, session, callback) {
      const dropFor = session.envelope.rcptTo.find((rcpt) => (drops.get(rcpt.address) ?? 0) > 0);
      if (dropFor) {
        drops.set(dropFor.address, drops.get(dropFor.address)! - 1);
        dropped += 1;
        stream.resume();
        sockets.get(session.remotePort)?.destroy();
        return;
      }
      if (dataRefusal) {
        stream.resume();
        stream.on('end', () => callback(smtpError(dataRefusal!.code, dataRefusal!.message)));
        return;
      }
      const refused = takeBurst('data');
      if (refused) {
        stream.resume();
        stream.on('end', () => callback(refused));
        return;
      }
      let replyDelay = 0;
      if (delay && delay.remaining > 0) {
        delay.remaining -= 1;
        delayedReplies += 1;
        replyDelay = delay.ms;
      }
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
            if (replyDelay > 0) setTimeout(() => callback(), replyDelay);
            else callback();
          },
          (error: Error) => callback(error),
        );
      });
    },
  });
  // A client that vanishes mid-conversation (a killed worker) resets its socket: expected here.
  server.on('error', () => {});
  server.server.on('connection', (socket: Socket) => {
    const port = socket.remotePort ?? 0;
    sockets.set(port, socket);
    socket.on('close', () => sockets.delete(port));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;

  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    get droppedConnections() {
      return dropped;
    },
    refuse(address, code, message, times = Infinity) {
      refusals.set(address.toLowerCase(), { code, message, remaining: times });
    },
    dropDuring(address, times = 1) {
      drops.set(address, times);
    },
    refuseAllData(code, message = 'Refused') {
      dataRefusal = code === undefined ? undefined : { code, message };
    },
    refuseNext(count, code, message, stage = 'data') {
      burst = { code, message, stage, remaining: count };
    },
    get burstRefusals() {
      return burstRefusals;
    },
    delayNext(count, ms) {
      delay = { ms, remaining: count };
    },
    get delayedReplies() {
      return delayedReplies;
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
    pause: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets.values()) socket.destroy();
        server.server.close(() => resolve());
      }),
    resume: () => new Promise<void>((resolve) => server.server.listen(port, '127.0.0.1', () => resolve())),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
