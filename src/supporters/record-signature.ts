/**
 * A first-time signature in one statement: the campaign check, the suppression check, the contact,
 * the supporter and the confirmation mail's ledger row. Sign-up is the route a campaign's peak
 * traffic hits, and one round trip (one implicit transaction) instead of seven is most of its cost.
 */
import { sql } from 'drizzle-orm';
import type { Executor } from '../db/client.js';

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

export async function recordFirstSignature(
  db: Executor,
  input: { slug: string; email: string; emailHash: Buffer; name: string; postcode: string | null; ip: string | null },
): Promise<SignatureOutcome> {
  const result = await db.execute<{
    campaign_status: SignatureOutcome['campaignStatus'] | null;
    campaign_id: string | null;
    suppressed: boolean;
    contact_id: string | null;
    supporter_id: string | null;
    message_id: string | null;
  }>(sql`
    WITH campaign AS (
      SELECT id, status, consent_statement FROM campaigns WHERE slug = ${input.slug} AND deleted_at IS NULL
    ), suppressed AS (
      SELECT 1 FROM suppressions WHERE email_hash = ${input.emailHash} AND organiser_id IS NULL LIMIT 1
    ), contact AS (
      INSERT INTO contacts (email, name)
      SELECT ${input.email}, ${input.name}
      WHERE EXISTS (SELECT 1 FROM campaign WHERE status = 'open') AND NOT EXISTS (SELECT 1 FROM suppressed)
      -- A no-op update so RETURNING gives an existing contact's id too.
      ON CONFLICT (email) DO UPDATE SET updated_at = now()
      RETURNING id
    ), supporter AS (
      INSERT INTO supporters (campaign_id, contact_id, name, postcode, consent_statement, consent_at, consent_ip, confirmation_sent_at)
      SELECT campaign.id, contact.id, ${input.name}, ${input.postcode}, campaign.consent_statement, now(), ${input.ip}::inet, now()
      FROM campaign, contact
      ON CONFLICT (campaign_id, contact_id) DO NOTHING
      RETURNING id
    ), message AS (
      INSERT INTO transactional_messages (supporter_id, kind)
      SELECT id, 'confirmation' FROM supporter
      RETURNING id
    )
    SELECT
      (SELECT status FROM campaign) AS campaign_status,
      (SELECT id FROM campaign) AS campaign_id,
      EXISTS (SELECT 1 FROM suppressed) AS suppressed,
      (SELECT id FROM contact) AS contact_id,
      (SELECT id FROM supporter) AS supporter_id,
      (SELECT id FROM message) AS message_id
  `);
  const row = result.rows[0]!;
  return {
    campaignStatus: row.campaign_status ?? undefined,
    campaignId: row.campaign_id ?? undefined,
    suppressed: row.suppressed,
    contactId: row.contact_id ?? undefined,
    supporterId: row.supporter_id ?? undefined,
    messageId: row.message_id ?? undefined,
  };
}
