/**
 * Message-IDs derived from ledger rows: the same row always gets the same Message-ID, so a message
 * sent again after an unknown outcome (a crash, a timeout) is recognisable as the same message, and
 * a delivery report that names one leads back to its row.
 */

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
  | 'broadcast-paused'
  | 'broadcast-test';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `<kind.id@domain>`, the domain being MAIL_FROM's. */
export function deterministicMessageId(kind: MessageIdKind, id: string, mailFrom: string): string {
  const domain = mailFrom.split('@')[1] ?? 'localhost';
  return `<${kind}.${id}@${domain}>`;
}

/** A broadcast delivery's: one per (broadcast, supporter), the ledger's unique pair. */
export function broadcastMessageId(broadcastId: string, supporterId: string, mailFrom: string): string {
  return deterministicMessageId('broadcast', `${broadcastId}.${supporterId}`, mailFrom);
}

/** The delivery a Message-ID of ours names, or undefined for any other Message-ID. */
export function parseBroadcastMessageId(messageId: string): { broadcastId: string; supporterId: string } | undefined {
  const match = /^<broadcast\.([^.@]+)\.([^.@]+)@[^>]*>$/.exec(messageId.trim());
  if (!match || !UUID.test(match[1]!) || !UUID.test(match[2]!)) return undefined;
  return { broadcastId: match[1]!.toLowerCase(), supporterId: match[2]!.toLowerCase() };
}
