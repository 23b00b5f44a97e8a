/**
 * Tokens for the links in mail (confirm, unsubscribe, "your data"). A token is a compact binary
 * payload — purpose, supporter, campaign, issue and expiry times — with an HMAC-SHA256 over it
 * under the server's SECRET_KEY. It is bound to one person's signature on one campaign and to one
 * purpose; it cannot be forged, extended or re-pointed without the secret, and it carries no id that
 * is usable on its own.
 */
import { keyedTag, tagsEqual } from '../infra/keyed-tag.js';

export const LINK_PURPOSES = ['confirm', 'unsubscribe', 'privacy'] as const;
export type LinkPurpose = (typeof LINK_PURPOSES)[number];

const VERSION = 1;
const PAYLOAD_BYTES = 1 + 1 + 16 + 16 + 4 + 4;
const MAC_BYTES = 16;

export interface LinkClaims {
  purpose: LinkPurpose;
  supporterId: string;
  campaignId: string;
  issuedAt: Date;
  /** Undefined: never expires (unsubscribe links must keep working for as long as mail is kept). */
  expiresAt?: Date | undefined;
}

export type LinkVerification =
  | { ok: true; claims: LinkClaims }
  | { ok: false; reason: 'invalid' | 'expired'; claims?: LinkClaims };

function uuidToBytes(uuid: string): Buffer {
  return Buffer.from(uuid.replace(/-/g, ''), 'hex');
}

function bytesToUuid(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function mac(secret: string, payload: Buffer): Buffer {
  return keyedTag(secret, 'link-token', payload, MAC_BYTES);
}

const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

export function signLinkToken(secret: string, claims: LinkClaims): string {
  const payload = Buffer.alloc(PAYLOAD_BYTES);
  payload.writeUInt8(VERSION, 0);
  payload.writeUInt8(LINK_PURPOSES.indexOf(claims.purpose), 1);
  uuidToBytes(claims.supporterId).copy(payload, 2);
  uuidToBytes(claims.campaignId).copy(payload, 18);
  payload.writeUInt32BE(seconds(claims.issuedAt), 34);
  payload.writeUInt32BE(claims.expiresAt ? seconds(claims.expiresAt) : 0, 38);
  return Buffer.concat([payload, mac(secret, payload)]).toString('base64url');
}

export function verifyLinkToken(secret: string, token: string, purpose: LinkPurpose, now = new Date()): LinkVerification {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(token)) return { ok: false, reason: 'invalid' };
  const bytes = Buffer.from(token, 'base64url');
  if (bytes.length !== PAYLOAD_BYTES + MAC_BYTES) return { ok: false, reason: 'invalid' };
  const payload = bytes.subarray(0, PAYLOAD_BYTES);
  if (!tagsEqual(mac(secret, payload), bytes.subarray(PAYLOAD_BYTES))) return { ok: false, reason: 'invalid' };
  if (payload.readUInt8(0) !== VERSION || LINK_PURPOSES[payload.readUInt8(1)] !== purpose) {
    return { ok: false, reason: 'invalid' };
  }
  const expires = payload.readUInt32BE(38);
  const claims: LinkClaims = {
    purpose,
    supporterId: bytesToUuid(payload.subarray(2, 18)),
    campaignId: bytesToUuid(payload.subarray(18, 34)),
    issuedAt: new Date(payload.readUInt32BE(34) * 1000),
    expiresAt: expires === 0 ? undefined : new Date(expires * 1000),
  };
  if (claims.expiresAt && claims.expiresAt.getTime() <= now.getTime()) return { ok: false, reason: 'expired', claims };
  return { ok: true, claims };
}
