/**
 * First-time signatures in one statement: the campaign check, the suppression check, the contact,
 * the supporter and the confirmation mail's ledger row. Sign-up is the route a campaign's peak
 * traffic hits, and round trips were most of its cost: one statement (one implicit transaction)
 * instead of seven, and under load one for many sign-ups (see batchWhileBusy).
 */
import { fillPlaceholders, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type pg from 'pg';
import { isSuppressedSql } from '../suppressions/suppressions.js';

export interface SignatureOutcome {
  /** The campaign's status, or undefined when no live campaign has this slug. */
  campaignStatus: 'draft' | 'open' | 'closed' | undefined;
  campaignId: string | undefined;
  /** The address is on the global suppression list: nothing was written. */
  suppressed: boolean;
  contactId: string | undefined;
  /** Set only when this statement created the supporter (a first signature). */
  supporterId: string | undefined;
  /** The confirmation mail's ledger row, with the new supporter. */
  messageId: string | undefined;
}

export interface SignatureRecord {
  slug: string;
  /** Normalised (normaliseEmail). */
  email: string;
  name: string;
  postcode: string | null;
  ip: string | null;
}

/**
 * Written with placeholders and rendered once, so that the named statement's text never varies: the
 * slugs, emails, names, postcodes and IPs of the sign-ups, as arrays in the same order. The
 * suppression check is the one rule every sender uses (suppressions.ts), suppressed everywhere only.
 */
const RECORD_FIRST_SIGNATURES = new PgDialect().sqlToQuery(sql`
  WITH input AS (
    SELECT * FROM unnest(
      ${sql.placeholder('slugs')}::text[],
      ${sql.placeholder('emails')}::text[],
      ${sql.placeholder('names')}::text[],
      ${sql.placeholder('postcodes')}::text[],
      ${sql.placeholder('ips')}::inet[]
    ) WITH ORDINALITY AS i(slug, email, name, postcode, ip, n)
  ), checked AS (
    SELECT i.*, c.id AS campaign_id, c.status AS campaign_status, c.consent_statement,
      ${isSuppressedSql(sql`i.email`, sql`NULL::uuid`)} AS suppressed
    FROM input i LEFT JOIN campaigns c ON c.slug = i.slug AND c.deleted_at IS NULL
  ), signing AS (
    -- The first of this batch's sign-ups with this address for this campaign is the one that signs.
    SELECT checked.*, row_number() OVER (PARTITION BY campaign_id, email ORDER BY n) AS turn
    FROM checked WHERE campaign_status = 'open' AND NOT suppressed
  ), contact AS (
    INSERT INTO contacts (email, name)
    SELECT DISTINCT ON (email) email, name FROM signing ORDER BY email, n
    -- A no-op update so RETURNING gives an existing contact's id too.
    ON CONFLICT (email) DO UPDATE SET updated_at = now()
    RETURNING id, email
  ), supporter AS (
    INSERT INTO supporters (campaign_id, contact_id, name, postcode, consent_statement, consent_at, consent_ip, confirmation_sent_at)
    SELECT signing.campaign_id, contact.id, signing.name, signing.postcode, signing.consent_statement, now(), signing.ip, now()
    FROM signing JOIN contact USING (email)
    WHERE signing.turn = 1
    ORDER BY signing.campaign_id, contact.id
    ON CONFLICT (campaign_id, contact_id) DO NOTHING
    RETURNING id, campaign_id, contact_id
  ), message AS (
    INSERT INTO transactional_messages (supporter_id, kind)
    SELECT id, 'confirmation' FROM supporter
    RETURNING id, supporter_id
  )
  SELECT checked.n, checked.campaign_status, checked.campaign_id, checked.suppressed,
    contact.id AS contact_id, supporter.id AS supporter_id, message.id AS message_id
  FROM checked
  LEFT JOIN signing USING (n)
  LEFT JOIN contact ON contact.email = signing.email
  LEFT JOIN supporter ON signing.turn = 1 AND supporter.campaign_id = signing.campaign_id AND supporter.contact_id = contact.id
  LEFT JOIN message ON message.supporter_id = supporter.id
  ORDER BY checked.n
`);

/**
 * Records several sign-ups in one statement, each with the same outcome as if it ran alone and in
 * input order: when two carry the same address for the same campaign, the first one signs and the
 * second finds it signed. Contacts and supporters are inserted in key order, so two batches that
 * share addresses wait for each other instead of deadlocking.
 */
export async function recordFirstSignatures(pool: pg.Pool, inputs: SignatureRecord[]): Promise<SignatureOutcome[]> {
  // A named statement: Postgres parses and plans it once per connection, not on every sign-up.
  const result = await pool.query<{
    n: string;
    campaign_status: SignatureOutcome['campaignStatus'] | null;
    campaign_id: string | null;
    suppressed: boolean;
    contact_id: string | null;
    supporter_id: string | null;
    message_id: string | null;
  }>({
    name: 'record-first-signatures',
    text: RECORD_FIRST_SIGNATURES.sql,
    values: fillPlaceholders(RECORD_FIRST_SIGNATURES.params, {
      slugs: inputs.map((i) => i.slug),
      emails: inputs.map((i) => i.email),
      names: inputs.map((i) => i.name),
      postcodes: inputs.map((i) => i.postcode),
      ips: inputs.map((i) => i.ip),
    }),
  });
  return result.rows.map((row) => ({
    campaignStatus: row.campaign_status ?? undefined,
    campaignId: row.campaign_id ?? undefined,
    suppressed: row.suppressed,
    contactId: row.contact_id ?? undefined,
    supporterId: row.supporter_id ?? undefined,
    messageId: row.message_id ?? undefined,
  }));
}
