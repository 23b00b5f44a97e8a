/**
 * One SMTP connection to the relay: greeting, EHLO, STARTTLS when offered (or TLS from the start for
 * smtps://), AUTH when the URL has credentials, then one mail transaction after another.
 *
 * With PIPELINING (RFC 2920) a message costs one round trip: MAIL FROM, RCPT TO and DATA go out
 * together, and once the server's 354 arrives the message's data goes out in the same write as the
 * next message's MAIL, RCPT and DATA. Without it, each command waits for its reply, as RFC 5321 asks.
 *
 * A message whose data was written when the connection failed has an unknown outcome: it fails with
 * a connection error and the ledger retries it (its Message-ID makes a repeat recognisable). A
 * message whose data was never written cannot have been delivered: it goes back to the pool.
 */
import { connect as connectPlain, isIP, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { refusal, SmtpError, type SmtpReply } from './smtp-error.js';
import { SmtpReplies } from './smtp-replies.js';

export interface SmtpServer {
  host: string;
  port: number;
  /** smtps://: TLS from the first byte. smtp:// upgrades with STARTTLS whenever the server offers it. */
  implicitTls: boolean;
  auth?: { user: string; pass: string } | undefined;
  /** The name this client gives in EHLO. */
  clientName: string;
  /** Connecting and the greeting. */
  connectTimeoutMs: number;
  /** Any other silence from the server while it owes a reply; also how long an idle connection stays open. */
  replyTimeoutMs: number;
}

export interface Transaction {
  from: string;
  to: string;
  /** The message as DATA carries it: dot-stuffed, CRLF line ends, the closing ".\r\n" included. */
  data: Buffer;
  resolve(response: string): void;
  reject(error: SmtpError): void;
  /** Set once the message's data has been written: from then on a lost connection leaves its fate unknown. */
  dataWritten?: boolean;
  /** The server's refusal of this message, once one came. */
  refused?: SmtpError;
}

export interface SessionEvents {
  /** The session can take another transaction (canTake). */
  ready(session: SmtpSession): void;
  /**
   * The session is over; `unsent` never had their data written and can go over another connection.
   * `announced`: the server said it was closing (421), so the connection's end is not their doing.
   */
  ended(session: SmtpSession, unsent: Transaction[], error: SmtpError | undefined, announced: boolean): void;
}

const ASCII = /^[\x20-\x7e]*$/;

export class SmtpSession {
  private readonly replies: SmtpReplies;
  private readonly extensions = new Map<string, string>();
  private readonly inFlight: Transaction[] = [];
  private socket: Socket;
  private corked = false;
  /** A transaction is waiting for its 354: the next MAIL FROM must come after its data. */
  private awaitingData = false;
  /** The last transaction failed before its data: the server may still hold its MAIL FROM. */
  private needsReset = false;
  private opened = false;
  /** The server answered 421: it is closing the connection (RFC 5321 §3.8). */
  private closingAnnounced = false;
  private ending = false;
  private ended = false;
  private messagesSent = 0;

  private constructor(
    private readonly server: SmtpServer,
    private readonly events: SessionEvents,
    private readonly maxMessages: number,
  ) {
    this.replies = new SmtpReplies((problem) => this.fail(new SmtpError(`the SMTP server sent ${problem}`, 'EPROTOCOL')));
    this.socket = server.implicitTls
      ? connectTls({ host: server.host, port: server.port, ...serverName(server.host) })
      : connectPlain({ host: server.host, port: server.port });
    this.listen(this.socket);
  }

  /** Resolves once the server greeted, was greeted, and (as it asks) secured and authenticated the session. */
  static async open(server: SmtpServer, events: SessionEvents, maxMessages: number): Promise<SmtpSession> {
    const session = new SmtpSession(server, events, maxMessages);
    try {
      await new Promise<void>((resolve, reject) => {
        session.openFailed = reject;
        session.handshake().then(resolve, reject);
      });
    } catch (error) {
      session.ended = true;
      session.socket.destroy();
      throw error;
    }
    session.opened = true;
    session.socket.setTimeout(server.replyTimeoutMs);
    return session;
  }

  /** Until the session is open: fails the opening when the connection does. */
  private openFailed: ((error: SmtpError) => void) | undefined;

  /** Takes another message now: the session is open, not ending, and not waiting for a 354. */
  canTake(): boolean {
    return !this.ending && !this.awaitingData && this.messagesSent < this.maxMessages && (this.pipelining || this.inFlight.length === 0);
  }

  /** Whether the session still counts towards the pool's connections. */
  get active(): boolean {
    return !this.ending && this.messagesSent < this.maxMessages;
  }

  private get pipelining(): boolean {
    return this.extensions.has('PIPELINING');
  }

  take(transaction: Transaction): void {
    this.inFlight.push(transaction);
    this.messagesSent += 1;
    this.awaitingData = true;
    const mailFrom = `MAIL FROM:<${transaction.from}>${this.utf8Parameter(transaction)}\r\n`;
    const rcptTo = `RCPT TO:<${transaction.to}>\r\n`;

    if (this.needsReset) {
      this.needsReset = false;
      this.write('RSET\r\n');
      this.replies.expect((reply) => {
        if (reply.code !== 250) this.fail(refusal(reply, 'EPROTOCOL', 'RSET'));
      });
    }
    // A 421 ends the session (RFC 5321 §3.8): the server will close without answering the rest.
    const refuse = (reply: SmtpReply, code: 'ESENDER' | 'EENVELOPE', command: string) => {
      transaction.refused ??= refusal(reply, code, command);
      if (reply.code === 421) this.serverClosing();
    };
    const onMail = (reply: SmtpReply) => {
      if (reply.code !== 250) refuse(reply, 'ESENDER', 'MAIL FROM');
    };
    const onRcpt = (reply: SmtpReply) => {
      if (reply.code !== 250 && reply.code !== 251) refuse(reply, 'EENVELOPE', 'RCPT TO');
    };
    const onData = (reply: SmtpReply) => {
      this.awaitingData = false;
      if (reply.code === 354 && !transaction.refused) {
        this.write(transaction.data);
        transaction.dataWritten = true;
        this.replies.expect((end) => this.finish(transaction, end.code === 250 ? undefined : refusal(end, 'EMESSAGE', 'DATA'), end));
        this.becameReady();
        return;
      }
      // Refused before its data: RFC 2920 §3.1 has the client end an accepted DATA with a lone dot.
      if (reply.code === 354) {
        this.write('.\r\n');
        this.replies.expect(() => {});
      }
      this.needsReset = true;
      this.finish(transaction, transaction.refused ?? refusal(reply, 'EMESSAGE', 'DATA'), reply);
    };

    if (this.pipelining) {
      this.write(`${mailFrom}${rcptTo}DATA\r\n`);
      this.replies.expect(onMail);
      this.replies.expect(onRcpt);
      this.replies.expect(onData);
      return;
    }
    const giveUp = (reply: SmtpReply) => {
      this.awaitingData = false;
      this.needsReset = true;
      this.finish(transaction, transaction.refused, reply);
    };
    this.write(mailFrom);
    this.replies.expect((reply) => {
      onMail(reply);
      if (transaction.refused) return giveUp(reply);
      this.write(rcptTo);
      this.replies.expect((reply) => {
        onRcpt(reply);
        if (transaction.refused) return giveUp(reply);
        this.write('DATA\r\n');
        this.replies.expect(onData);
      });
    });
  }

  /** Finishes what is in flight, then says QUIT. */
  retire(): void {
    this.ending = true;
    if (this.inFlight.length === 0) this.quit();
  }

  private finish(transaction: Transaction, error: SmtpError | undefined, reply: SmtpReply): void {
    this.inFlight.splice(this.inFlight.indexOf(transaction), 1);
    if (error) transaction.reject(error);
    else transaction.resolve(reply.text);
    if (reply.code === 421) this.serverClosing();
    if ((this.ending || this.messagesSent >= this.maxMessages) && this.inFlight.length === 0) this.quit();
    else this.becameReady();
  }

  private serverClosing(): void {
    this.closingAnnounced = true;
    this.ending = true;
  }

  private becameReady(): void {
    if (this.canTake()) this.events.ready(this);
  }

  private quit(): void {
    if (this.ended) return;
    // Whatever the server answers, the session is over for the pool now.
    this.end(undefined);
    if (!this.socket.destroyed && this.socket.writable) this.socket.end('QUIT\r\n');
  }

  private async handshake(): Promise<void> {
    this.socket.setTimeout(this.server.connectTimeoutMs);
    const greeting = await this.command(undefined);
    if (greeting.code !== 220) throw refusal(greeting, 'EPROTOCOL', 'CONN');
    await this.greet();
    if (!this.server.implicitTls && this.extensions.has('STARTTLS')) {
      const answer = await this.command('STARTTLS');
      if (answer.code !== 220) throw refusal(answer, 'ETLS', 'STARTTLS');
      await this.upgradeToTls();
      await this.greet();
    }
    if (this.server.auth) await this.authenticate(this.server.auth);
  }

  private async greet(): Promise<void> {
    this.socket.setTimeout(this.server.replyTimeoutMs);
    let reply = await this.command(`EHLO ${this.server.clientName}`);
    this.extensions.clear();
    if (reply.code === 250) {
      for (const line of reply.lines.slice(1)) {
        const [keyword = '', ...parameters] = line.slice(4).trim().split(/\s+/);
        this.extensions.set(keyword.toUpperCase(), parameters.join(' ').toUpperCase());
      }
      return;
    }
    // A server from before ESMTP: no extensions, one command at a time.
    reply = await this.command(`HELO ${this.server.clientName}`);
    if (reply.code !== 250) throw refusal(reply, 'EPROTOCOL', 'HELO');
  }

  private async upgradeToTls(): Promise<void> {
    const plain = this.socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('timeout');
    plain.setTimeout(0);
    const secure = connectTls({ socket: plain, ...serverName(this.server.host) });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', resolve);
      secure.once('error', (error: Error) => reject(new SmtpError(`STARTTLS failed: ${error.message}`, 'ETLS')));
    });
    this.socket = secure;
    this.listen(secure);
  }

  private async authenticate({ user, pass }: { user: string; pass: string }): Promise<void> {
    const mechanisms = (this.extensions.get('AUTH') ?? '').split(' ');
    if (mechanisms.includes('PLAIN') || !mechanisms.includes('LOGIN')) {
      const reply = await this.command(`AUTH PLAIN ${Buffer.from(`\0${user}\0${pass}`).toString('base64')}`);
      if (reply.code !== 235) throw refusal(reply, 'EAUTH', 'AUTH PLAIN');
      return;
    }
    const steps = [Buffer.from(user).toString('base64'), Buffer.from(pass).toString('base64')];
    let reply = await this.command('AUTH LOGIN');
    for (const step of steps) {
      if (reply.code !== 334) break;
      reply = await this.command(step);
    }
    if (reply.code !== 235) throw refusal(reply, 'EAUTH', 'AUTH LOGIN');
  }

  /** Writes `line` (or nothing, for the greeting) and resolves with its reply. */
  private command(line: string | undefined): Promise<SmtpReply> {
    return new Promise((resolve) => {
      this.replies.expect(resolve);
      if (line !== undefined) this.write(`${line}\r\n`);
    });
  }

  /** SMTPUTF8 (RFC 6531) when an address needs it and the server offers it; otherwise the server decides. */
  private utf8Parameter(transaction: Transaction): string {
    return this.extensions.has('SMTPUTF8') && !(ASCII.test(transaction.from) && ASCII.test(transaction.to)) ? ' SMTPUTF8' : '';
  }

  /** Writes made in one turn of the event loop leave in one segment: a message's data and the next envelope together. */
  private write(chunk: string | Buffer): void {
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    this.socket.write(chunk);
  }

  private listen(socket: Socket): void {
    socket.setNoDelay(true);
    this.replies.listenTo(socket);
    socket.on('timeout', () => {
      if (this.replies.waiting > 0) {
        const seconds = Math.round((this.opened ? this.server.replyTimeoutMs : this.server.connectTimeoutMs) / 1000);
        this.fail(new SmtpError(`the SMTP server did not answer within ${seconds} s`, 'ETIMEDOUT'));
      } else this.quit();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      const code = error.code?.startsWith('ERR_TLS') || error.code?.includes('CERT') ? 'ETLS' : 'ECONNECTION';
      this.fail(new SmtpError(`${error.code ? `${error.code}: ` : ''}${error.message}`, code));
    });
    socket.on('close', () => this.fail(new SmtpError('the SMTP server closed the connection', 'ECONNECTION')));
  }

  private fail(error: SmtpError): void {
    if (this.openFailed) {
      this.openFailed(error);
      this.openFailed = undefined;
    }
    this.socket.destroy();
    this.end(error);
  }

  private end(error: SmtpError | undefined): void {
    if (this.ended) return;
    this.ended = true;
    this.ending = true;
    this.replies.forget();
    const unsent: Transaction[] = [];
    for (const transaction of this.inFlight.splice(0)) {
      const failure = transaction.refused ?? (transaction.dataWritten || !error ? (error ?? new SmtpError('the connection ended', 'ECONNECTION')) : undefined);
      if (failure) transaction.reject(failure);
      else unsent.push(transaction);
    }
    if (this.opened) this.events.ended(this, unsent, error, this.closingAnnounced);
  }
}

function serverName(host: string): { servername?: string } {
  // SNI carries host names only (RFC 6066 §3).
  return isIP(host) ? {} : { servername: host };
}
