import { createHash } from 'node:crypto';

/**
 * The form an address is stored in: trimmed, domain lower-cased. The local part keeps its case,
 * as RFC 5321 allows a server to distinguish it (almost none do, but it is not ours to change).
 */
export function normaliseEmail(email: string): string {
  const trimmed = email.trim();
  const at = trimmed.lastIndexOf('@');
  if (at < 0) return trimmed;
  return trimmed.slice(0, at) + '@' + trimmed.slice(at + 1).toLowerCase();
}

/**
 * The one-way form suppressions are kept in (fully lower-cased, so "Jane@" and "jane@" suppress
 * each other): an erased person's address is never stored readable again.
 */
export function emailHash(email: string): Buffer {
  return createHash('sha256').update(normaliseEmail(email).toLowerCase(), 'utf8').digest();
}
