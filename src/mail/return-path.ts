/**
 * VERP envelope senders. Every message we send has `MAIL FROM:<bounce+TOKEN@INBOUND_DOMAIN>`, where
 * TOKEN names its ledger row and carries a short MAC under SECRET_KEY, so a delivery report or a
 * complaint, which goes to the envelope sender, leads back to exactly one row, and nobody without the
 * secret can make up a token naming someone else's (the listener refuses a bad token at RCPT).
 *
 * The token is lower-case hex and digits only: mail systems may change the letter case of a local
 * part, and `bounce+` with the longest token (a uuid row) stays within the 64 characters allowed.
 *   d<delivery id, decimal>-<mac>      a broadcast delivery (deliveries.id)
 *   t<uuid, 32 hex>-<mac>              one-to-one mail (transactional_messages.id)
 *   l<uuid, 32 hex>-<mac>              a target letter (target_letters.id)
 * One HMAC per message and no database read: cheap enough for the broadcast hot path.
 */
import { keyedTag, tagsEqual } from '../infra/keyed-tag.js';

export type ReturnPathRow =
  | { ledger: 'delivery'; id: number }
  | { ledger: 'transactional'; id: string }
  | { ledger: 'target-letter'; id: string };

const MAC_BYTES = 8;
const PURPOSE = 'return-path';

function rowPart(row: ReturnPathRow): string {
  if (row.ledger === 'delivery') return `d${row.id}`;
  return `${row.ledger === 'transactional' ? 't' : 'l'}${row.id.replace(/-/g, '').toLowerCase()}`;
}

function uuidOf(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function returnPathToken(secret: string, row: ReturnPathRow): string {
  const part = rowPart(row);
  return `${part}-${keyedTag(secret, PURPOSE, part, MAC_BYTES).toString('hex')}`;
}

/** The row a token names, or undefined when it is malformed or its MAC is wrong (a forgery or an alteration). */
export function verifyReturnPathToken(secret: string, token: string): ReturnPathRow | undefined {
  const match = /^(d[1-9][0-9]{0,15}|[tl][0-9a-f]{32})-([0-9a-f]{16})$/.exec(token.toLowerCase());
  if (!match) return undefined;
  const [, part, mac] = match as unknown as [string, string, string];
  if (!tagsEqual(keyedTag(secret, PURPOSE, part, MAC_BYTES), Buffer.from(mac, 'hex'))) return undefined;
  if (part.startsWith('d')) {
    const id = Number(part.slice(1));
    return Number.isSafeInteger(id) ? { ledger: 'delivery', id } : undefined;
  }
  return { ledger: part.startsWith('t') ? 'transactional' : 'target-letter', id: uuidOf(part.slice(1)) };
}

export interface ReturnPaths {
  /** `bounce+TOKEN@INBOUND_DOMAIN` for this row. */
  of(row: ReturnPathRow): string;
}

export function makeReturnPaths(config: { SECRET_KEY: string; INBOUND_DOMAIN: string }): ReturnPaths {
  return { of: (row) => `bounce+${returnPathToken(config.SECRET_KEY, row)}@${config.INBOUND_DOMAIN}` };
}
