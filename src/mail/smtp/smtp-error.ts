/**
 * A failed send as the SMTP client reports it, shaped as classifySendError (smtp-outcome.ts) reads
 * it: the server's reply code and text and the command it answered, or, with no reply, a code for
 * what went wrong with the connection.
 */
export type SmtpErrorCode =
  /** The server refused the recipient (RCPT TO). */
  | 'EENVELOPE'
  /** The server refused the sender (MAIL FROM): says nothing about the recipient. */
  | 'ESENDER'
  /** The server refused the message (DATA, or the end of the data). */
  | 'EMESSAGE'
  /** The server refused the session itself: greeting, EHLO, STARTTLS, RSET. */
  | 'EPROTOCOL'
  | 'EAUTH'
  | 'ECONNECTION'
  | 'ETIMEDOUT'
  | 'ETLS';

export class SmtpError extends Error {
  constructor(
    message: string,
    readonly code: SmtpErrorCode,
    readonly command?: string,
    readonly responseCode?: number,
    readonly response?: string,
  ) {
    super(message);
    this.name = 'SmtpError';
  }
}

export interface SmtpReply {
  code: number;
  /** Every line of the reply, as the server wrote them, joined by '\n'. */
  text: string;
  lines: string[];
}

export function refusal(reply: SmtpReply, code: SmtpErrorCode, command: string): SmtpError {
  return new SmtpError(`${command} refused: ${reply.text}`, code, command, reply.code, reply.text);
}
