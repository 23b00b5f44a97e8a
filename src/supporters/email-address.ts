import { createHash } from 'node:crypto';

/**
 * The one form an address is stored, looked up and compared in: trimmed and lower-cased whole, so
 * "Jane@Example.org", "jane@example.org" and "ÉLODIE@…"/"élodie@…" are one contact. RFC 5321 lets a
 * server tell local parts apart by case, but none that people use does, and treating them as two
 * people let one person sign twice and escape an erasure. Lower-cased here, in TypeScript
 * (String.prototype.toLowerCase is the same Unicode mapping everywhere), never with Postgres' lower(),
 * whose result for non-ASCII letters depends on the database's locale.
 */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * The one-way form suppressions are kept in, of the normalised address: an erased person's address
 * is never stored readable again.
 */
export function emailHash(email: string): Buffer {
  return createHash('sha256').update(normaliseEmail(email), 'utf8').digest();
}
