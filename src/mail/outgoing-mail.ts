/** What the rest of the service hands the transport: one message, already composed. */
export interface Address {
  name: string;
  address: string;
}

export interface OutgoingMail {
  from: Address;
  to: Address;
  replyTo?: Address | undefined;
  subject: string;
  text: string;
  html: string;
  /** Deterministic, so a retry after an unknown outcome is recognisable as the same message. */
  messageId: string;
  /** Adds List-Unsubscribe and List-Unsubscribe-Post (RFC 8058 one-click). */
  unsubscribeUrl?: string | undefined;
  attachments?: Array<{ filename: string; content: Buffer | string; contentType: string }> | undefined;
}
