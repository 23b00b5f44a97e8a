/**
 * What a failed send means for what happens next, by class: a 5xx reply is permanent (the server
 * will refuse this message to this address again), a 4xx reply is transient (try later), and an
 * error without a reply (refused, reset, timed out) is a connection problem (try later; whether the
 * message went through is unknown, which is why every message has a deterministic Message-ID).
 */
export type SendFailureClass = 'permanent' | 'transient' | 'connection';

export interface SendFailure {
  class: SendFailureClass;
  /** A permanent refusal of the recipient address itself (at RCPT TO): a hard bounce. */
  recipientRefused: boolean;
  /** The SMTP server's reply, or the connection error, as recorded in the ledger. */
  response: string;
}

interface SmtpErrorLike {
  message?: string;
  code?: string;
  command?: string;
  response?: string;
  responseCode?: number;
}

export function classifySendError(error: unknown): SendFailure {
  const smtp = (typeof error === 'object' && error !== null ? error : {}) as SmtpErrorLike;
  const code = smtp.responseCode;
  if (typeof code === 'number' && code >= 400 && code < 600) {
    const response = (smtp.response ?? `${code} ${smtp.message ?? ''}`).trim();
    // 503 is "bad sequence of commands": the session, not the message, was wrong.
    const permanent = code >= 500 && code !== 503;
    const atRecipient = smtp.code === 'EENVELOPE' || /^RCPT/i.test(smtp.command ?? '');
    return { class: permanent ? 'permanent' : 'transient', response, recipientRefused: permanent && atRecipient };
  }
  const reason = smtp.code ? `${smtp.code}: ${smtp.message ?? ''}` : (smtp.message ?? String(error));
  return { class: 'connection', response: reason.trim(), recipientRefused: false };
}
