/**
 * Message-IDs derived from ledger rows: the same row always gets the same Message-ID, so a message
 * sent again after an unknown outcome (a crash, a timeout) is recognisable as the same message.
 */
import { keyedTag } from '../infra/keyed-tag.js';

/** Which ledger a Message-ID's row is in (the transactional kinds are spelled with dashes). */
export type MessageIdKind =
  | 'broadcast'
  | 'confirmation'
  | 'letter-copy'
  | 'privacy-link'
  | 'target-letter'
  | 'sign-in-link'
  | 'reply-arrived'
  | 'broadcast-completed'
  | 'broadcast-paused';

/** `<kind.id@domain>`, the domain being MAIL_FROM's. The id is a ledger row's own, which names nobody. */
export function deterministicMessageId(kind: MessageIdKind, id: string, mailFrom: string): string {
  const domain = mailFrom.split('@')[1] ?? 'localhost';
  return `<${kind}.${id}@${domain}>`;
}

/**
 * A broadcast delivery's: one per (broadcast, supporter), the ledger's unique pair, so it is the same
 * whichever row or attempt sends it. Opaque: a MAC of the pair under SECRET_KEY, so no supporter's id
 * can be read from a message (it used to be spelled out, and a forged report naming it was acted on).
 * Reports are matched by the return path (return-path.ts), never by a Message-ID.
 */
export function broadcastMessageId(broadcastId: string, supporterId: string, mailFrom: string, secret: string): string {
  return deterministicMessageId('broadcast', keyedTag(secret, 'message-id', `${broadcastId}.${supporterId}`, 16).toString('hex'), mailFrom);
}
