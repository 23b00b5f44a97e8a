/**
 * Reads a socket's SMTP replies (RFC 5321 §4.2: "250-first", "250-more", "250 last") and hands each
 * whole reply to the next waiting handler, in the order the commands went out, which is the order
 * a server answers them, pipelined or not.
 */
import type { Socket } from 'node:net';
import type { SmtpReply } from './smtp-error.js';

/** A server writing more than this without ending a line is not an SMTP server. */
const MAX_LINE_CHARS = 64 * 1024;

export class SmtpReplies {
  private buffered = '';
  private lines: string[] = [];
  private readonly handlers: Array<(reply: SmtpReply) => void> = [];

  constructor(
    /** A reply no command was waiting for (a 421 when the server times out an idle session), or a line that is not SMTP. */
    private readonly onUnexpected: (problem: string) => void,
  ) {}

  /** Reads from `socket` from now on; after STARTTLS, the TLS socket replaces the plain one. */
  listenTo(socket: Socket): void {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.read(chunk));
  }

  /** `handler` gets the reply to the command written just before or after this call. */
  expect(handler: (reply: SmtpReply) => void): void {
    this.handlers.push(handler);
  }

  get waiting(): number {
    return this.handlers.length;
  }

  /** The connection is gone: no reply will come. */
  forget(): void {
    this.handlers.length = 0;
  }

  private read(chunk: string): void {
    this.buffered += chunk;
    let start = 0;
    let end: number;
    while ((end = this.buffered.indexOf('\n', start)) >= 0) {
      const line = this.buffered.charCodeAt(end - 1) === 13 ? this.buffered.slice(start, end - 1) : this.buffered.slice(start, end);
      start = end + 1;
      this.readLine(line);
    }
    this.buffered = start === 0 ? this.buffered : this.buffered.slice(start);
    if (this.buffered.length > MAX_LINE_CHARS) this.onUnexpected('a reply line too long to be SMTP');
  }

  private readLine(line: string): void {
    const code = Number(line.slice(0, 3));
    if (!/^[2-5]\d\d([ -]|$)/.test(line)) {
      this.onUnexpected(`not an SMTP reply: ${line.slice(0, 200)}`);
      return;
    }
    this.lines.push(line);
    if (line.charAt(3) === '-') return;
    const reply: SmtpReply = { code, text: this.lines.join('\n'), lines: this.lines };
    this.lines = [];
    const handler = this.handlers.shift();
    if (handler) handler(reply);
    else this.onUnexpected(`an unexpected reply: ${reply.text.slice(0, 200)}`);
  }
}
