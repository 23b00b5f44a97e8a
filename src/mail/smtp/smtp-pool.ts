/**
 * Up to `maxConnections` SMTP sessions to one relay, shared by every send of the process. A message
 * waits in one queue and goes out over the first session that can take it; sessions open as the
 * queue needs them and close when idle (SMTP_TIMEOUT_SECONDS) or after `maxMessagesPerConnection`.
 *
 * When a session cannot even be opened (refused, timed out, TLS or AUTH refused) and no other is
 * working, every waiting message fails with that error at once: the ledger retries them on its own
 * schedule, instead of each waiting here for a server that is down.
 */
import { SmtpError } from './smtp-error.js';
import { SmtpSession, type SmtpServer, type Transaction } from './smtp-session.js';

/**
 * A message whose connection died unannounced before its data went out goes over another one, this
 * many times: a message that itself makes the server drop the connection must not do so forever.
 */
const MAX_REQUEUES = 2;

interface Queued extends Transaction {
  requeues: number;
  /** Counts messages as they arrive: a failed attempt to connect answers for those that were waiting when it began. */
  arrival: number;
}

export class SmtpPool {
  private readonly queue: Queued[] = [];
  private readonly sessions = new Set<SmtpSession>();
  private opening = 0;
  private arrivals = 0;
  private closed = false;

  constructor(
    private readonly server: SmtpServer,
    private readonly options: { maxConnections: number; maxMessagesPerConnection: number },
  ) {}

  /** Resolves with the server's reply to the end of the data (250); rejects with an SmtpError. */
  send(from: string, to: string, data: Buffer): Promise<string> {
    if (this.closed) return Promise.reject(new SmtpError('the SMTP transport is closed', 'ECONNECTION'));
    const unwritable = unwritableAddress(from, to);
    if (unwritable) return Promise.reject(unwritable);
    return new Promise((resolve, reject) => {
      this.queue.push({ from, to, data, resolve, reject, requeues: 0, arrival: this.arrivals++ });
      this.dispatch();
    });
  }

  /** Opens a session if none is open or opening (see MailTransport.warm). */
  warm(): void {
    if (!this.closed && this.sessions.size === 0 && this.opening === 0) void this.openSession();
  }

  /** Sessions finish what they have in flight, then say QUIT; nothing new is taken. */
  close(): void {
    this.closed = true;
    for (const waiting of this.queue.splice(0)) waiting.reject(new SmtpError('the SMTP transport is closed', 'ECONNECTION'));
    for (const session of this.sessions) session.retire();
  }

  private dispatch(): void {
    for (const session of this.sessions) {
      while (this.queue.length > 0 && session.canTake()) session.take(this.queue.shift()!);
      if (this.queue.length === 0) return;
    }
    let active = this.opening;
    for (const session of this.sessions) if (session.active) active += 1;
    // One new session per waiting message at most: a single message does not open five connections.
    const wanted = Math.min(this.options.maxConnections - active, this.queue.length - this.opening);
    for (let i = 0; i < wanted; i++) void this.openSession();
  }

  private async openSession(): Promise<void> {
    this.opening += 1;
    const arrivalsBefore = this.arrivals;
    try {
      const session = await SmtpSession.open(
        this.server,
        {
          ready: () => this.dispatch(),
          ended: (ended, unsent, error, announced) => this.sessionEnded(ended, unsent as Queued[], error, announced),
        },
        this.options.maxMessagesPerConnection,
      );
      this.opening -= 1;
      if (this.closed) session.retire();
      else this.sessions.add(session);
    } catch (error) {
      this.opening -= 1;
      const failure = error instanceof SmtpError ? error : new SmtpError(String(error), 'ECONNECTION');
      // Without a session that works, nothing waiting would go out: fail it now, and open no more for it.
      if (![...this.sessions].some((session) => session.active)) {
        const answered = this.queue.filter((waiting) => waiting.arrival < arrivalsBefore);
        this.queue.splice(0, this.queue.length, ...this.queue.filter((waiting) => waiting.arrival >= arrivalsBefore));
        for (const waiting of answered) waiting.reject(failure);
      }
    }
    this.dispatch();
  }

  private sessionEnded(session: SmtpSession, unsent: Queued[], error: SmtpError | undefined, announced: boolean): void {
    this.sessions.delete(session);
    const again: Queued[] = [];
    for (const transaction of unsent) {
      // A server that said it was closing (a 421 to another message) did not close because of these.
      if (!announced) transaction.requeues += 1;
      if (transaction.requeues > MAX_REQUEUES || this.closed) transaction.reject(error ?? new SmtpError('the connection ended', 'ECONNECTION'));
      else again.push(transaction);
    }
    this.queue.unshift(...again);
    if (!this.closed) this.dispatch();
  }
}

/** No space, control character or angle bracket: one would end the command early, or start another. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what it refuses
const ENVELOPE_ADDRESS = /^[^\s<>\x00-\x1f\x7f]+@[^\s<>@\x00-\x1f\x7f]+$/;

/**
 * An address that cannot go into MAIL FROM or RCPT TO as it is. Refused here, as a server would
 * refuse it (501, RFC 5321 §4.2.3): permanent, and for a recipient a refusal of that address.
 */
function unwritableAddress(from: string, to: string): SmtpError | undefined {
  if (!ENVELOPE_ADDRESS.test(from)) return localRefusal('ESENDER', 'MAIL FROM', from);
  if (!ENVELOPE_ADDRESS.test(to)) return localRefusal('EENVELOPE', 'RCPT TO', to);
  return undefined;
}

function localRefusal(code: 'ESENDER' | 'EENVELOPE', command: string, address: string): SmtpError {
  const response = `501 5.1.3 not sent: ${JSON.stringify(address)} cannot be written in an SMTP envelope (refused by this client)`;
  return new SmtpError(`${command} refused: ${response}`, code, command, 501, response);
}
