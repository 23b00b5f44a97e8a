/**
 * Brings contacts stored before addresses were lower-cased whole (only their domain was) into the
 * one form normaliseEmail gives, merging contacts that differ only by letter case into one person.
 * A data migration in TypeScript, not SQL: the case mapping must be exactly normaliseEmail's, and
 * Postgres' lower() of a non-ASCII letter depends on the database's locale. Run by runMigrations
 * under its lock after the SQL migrations; idempotent, and a no-op once every address is normalised.
 *
 * Merging keeps the oldest contact. A signature of the other moves to it, unless both signed the same
 * campaign: then the confirmed (else the older) signature stays, carrying the earlier unsubscribe of
 * the two if either had unsubscribed (the person asked for no more mail), and the other is deleted
 * with its mail ledger rows; the campaign's count loses one if both had been confirmed. Suppressions
 * are keyed by a hash of the lower-cased address already, so they need nothing.
 */
import type pg from 'pg';
import { normaliseEmail } from './email-address.js';

interface ContactRow {
  id: string;
  email: string;
}

interface SignatureRow {
  id: string;
  campaign_id: string;
  status: 'unconfirmed' | 'confirmed';
  unsubscribed_at: Date | null;
}

/** Confirmed first, then the older one: the signature that stands for the person. */
function isBetter(a: SignatureRow & { created_at: Date }, b: SignatureRow & { created_at: Date }): boolean {
  if (a.status !== b.status) return a.status === 'confirmed';
  return a.created_at <= b.created_at;
}

async function mergeInto(client: pg.ClientBase, survivorId: string, loserId: string): Promise<void> {
  const signatures = `SELECT id, campaign_id, status, unsubscribed_at, created_at FROM supporters WHERE contact_id = $1`;
  const { rows: moving } = await client.query<SignatureRow & { created_at: Date }>(signatures, [loserId]);
  for (const signature of moving) {
    const { rows: existing } = await client.query<SignatureRow & { created_at: Date }>(`${signatures} AND campaign_id = $2`, [
      survivorId,
      signature.campaign_id,
    ]);
    const other = existing[0];
    if (!other) {
      await client.query('UPDATE supporters SET contact_id = $1 WHERE id = $2', [survivorId, signature.id]);
      continue;
    }
    const [keep, drop] = isBetter(other, signature) ? [other, signature] : [signature, other];
    await client.query('DELETE FROM supporters WHERE id = $1', [drop.id]);
    // LEAST ignores NULL: the earlier unsubscribe of the two, or none if neither had.
    await client.query('UPDATE supporters SET contact_id = $1, unsubscribed_at = LEAST(unsubscribed_at, $2::timestamptz) WHERE id = $3', [
      survivorId,
      drop.unsubscribed_at,
      keep.id,
    ]);
    if (keep.status === 'confirmed' && drop.status === 'confirmed') {
      await client.query('UPDATE campaigns SET supporter_count = supporter_count - 1 WHERE id = $1 AND supporter_count > 0', [signature.campaign_id]);
    }
  }
  await client.query('DELETE FROM contacts WHERE id = $1', [loserId]);
}

/** Returns how many contacts were changed or merged away. */
export async function reconcileContactEmails(client: pg.ClientBase): Promise<number> {
  // Migrations applied only up to before contacts existed (a partial folder): nothing to do.
  const { rows: table } = await client.query<{ exists: boolean }>(`SELECT to_regclass('public.contacts') IS NOT NULL AS exists`);
  if (!table[0]!.exists) return 0;
  // Every address that lower-casing could change: an ASCII capital, or any non-ASCII character
  // (more octets than characters), decided without the locale. Then the contacts they may merge with.
  const { rows: candidates } = await client.query<ContactRow>(
    `SELECT id, email FROM contacts WHERE email ~ '[ABCDEFGHIJKLMNOPQRSTUVWXYZ]' OR octet_length(email) <> char_length(email)`,
  );
  const unsettled = candidates.filter((contact) => normaliseEmail(contact.email) !== contact.email);
  if (unsettled.length === 0) return 0;

  const keys = [...new Set(unsettled.map((contact) => normaliseEmail(contact.email)))];
  const { rows: related } = await client.query<ContactRow & { created_at: Date }>(
    'SELECT id, email, created_at FROM contacts WHERE id = ANY($1::uuid[]) OR email = ANY($2::text[]) ORDER BY created_at, id',
    [unsettled.map((contact) => contact.id), keys],
  );
  const groups = new Map<string, ContactRow[]>();
  for (const contact of related) {
    const key = normaliseEmail(contact.email);
    groups.set(key, [...(groups.get(key) ?? []), contact]);
  }

  let changed = 0;
  for (const [email, [survivor, ...others]] of groups) {
    await client.query('BEGIN');
    try {
      for (const other of others) await mergeInto(client, survivor!.id, other.id);
      if (survivor!.email !== email) await client.query('UPDATE contacts SET email = $1, updated_at = now() WHERE id = $2', [email, survivor!.id]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    }
    changed += others.length + (survivor!.email !== email ? 1 : 0);
  }
  return changed;
}
