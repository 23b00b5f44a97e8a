/**
 * Message-IDs derived from ledger rows: the same row always gets the same Message-ID, so a message
 * sent again after an unknown outcome (a crash, a timeout) is recognisable as the same message.
 */
import { LRUCache } from 'lru-cache';
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
  | 'broadcast-paused'
  | 'broadcast-test';

/** `<kind.id@domain>`, the domain being MAIL_FROM's. The id is a ledger row's own, which names nobody. */
export function deterministicMessageId(kind: MessageIdKind, id: string, mailFrom: string): string {
  const domain = mailFrom.split('@')[1] ?? 'localhost';
  return `<${kind}.${id}@${domain}>`;
}

/**
 * A broadcast delivery's: one per (broadcast, supporter), the ledger's unique pair, so it is the same
 * whichever row or attempt sends it. Opaque: MACs under SECRET_KEY of the broadcast and of the pair,
 * so no id can be read from a message (the supporter's used to be spelled out, and a forged report
 * naming it was acted on). A broadcast's messages share the first part, so they can be told apart
 * from others' (broadcastMessageIdPrefix). Reports are matched by the return path, never by a Message-ID.
 */
export function broadcastMessageId(broadcastId: string, supporterId: string, mailFrom: string, secret: string): string {
  const domain = mailFrom.split('@')[1] ?? 'localhost';
  return `${broadcastMessageIdPrefix(broadcastId, secret)}${keyedTag(secret, 'message-id', `${broadcastId}.${supporterId}`, 12).toString('hex')}@${domain}>`;
}

/** What every Message-ID of one broadcast's deliveries starts with. */
export function broadcastMessageIdPrefix(broadcastId: string, secret: string): string {
  const key = `${secret}\0${broadcastId}`;
  let prefix = recentPrefixes.get(key);
  if (prefix === undefined) {
    prefix = `<broadcast.${keyedTag(secret, 'message-id/broadcast', broadcastId, 8).toString('hex')}.`;
    recentPrefixes.set(key, prefix);
  }
  return prefix;
}

/** A broadcast's messages all share its prefix: computed once, not once per message. */
const recentPrefixes = new LRUCache<string, string>({ max: 16 });
