/**
 * May we mail this person, through the real database: a suppression recorded from an address with
 * non-ASCII capitals stops mail to the same address in lower case, in every place that checks.
 */
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { planAudiencePage } from '../../src/broadcasts/audience-plan.js';
import { insertBroadcast } from '../../src/broadcasts/broadcast-queries.js';
import { loadRecipients } from '../../src/broadcasts/recipients.js';
import { addSuppression, findSuppression, isSuppressedSql } from '../../src/suppressions/suppressions.js';
import { emailHash, normaliseEmail } from '../../src/supporters/email-address.js';
import { recordFirstSignatures } from '../../src/supporters/record-signature.js';
import { createPublishedCampaign, uniqueSuffix } from '../support/harness.js';
import { seedSupporters } from '../support/seed.js';
import { useTestStack } from '../support/test-stack.js';

const { app, handle, organiser } = useTestStack({ runs: 'app', organiser: 'UNA-UK' });

/** A confirmed supporter whose address is stored as the sign-up stores it: normalised. */
async function confirmedSupporter(campaignId: string, email: string): Promise<string> {
  const { rows } = await handle.pool.query<{ id: string }>(
    `WITH contact AS (INSERT INTO contacts (email, name) VALUES ($2, 'Élodie') RETURNING id)
     INSERT INTO supporters (campaign_id, contact_id, name, status, consent_statement, consent_at, confirmed_at)
     SELECT $1, id, 'Élodie', 'confirmed', 'I agree', now(), now() - interval '1 minute' FROM contact RETURNING id`,
    [campaignId, normaliseEmail(email)],
  );
  return rows[0]!.id;
}

describe('a suppressed address with non-ASCII capitals', () => {
  it('stops mail to the same address however it is written, in TypeScript and in SQL alike', async () => {
    const campaign = await createPublishedCampaign(app, organiser);
    const tag = uniqueSuffix();
    const suppressed = `ÉLODIE-${tag}@EXÄMPLE.org`;
    const supporterId = await confirmedSupporter(campaign.id, `élodie-${tag}@exämple.org`);
    await seedSupporters(handle, campaign.id, 3, tag);
    // A hard bounce reported for the address as the receiving server wrote it.
    await addSuppression(handle.db, { email: suppressed, organiserId: null, reason: 'hard_bounce', source: 'dsn', detail: 'test' });

    // One-to-one mail (looked up by address).
    expect(await findSuppression(handle.db, `élodie-${tag}@exämple.org`, null)).toEqual({ reason: 'hard_bounce' });
    expect(await findSuppression(handle.db, `Élodie-${tag}@Exämple.org`, organiser.id)).toEqual({ reason: 'hard_bounce' });

    // A broadcast's send token (the address as stored on the contact).
    const recipients = await loadRecipients(handle.db, [supporterId], organiser.id);
    expect(recipients.get(supporterId)?.suppressedBecause).toBe('hard_bounce');

    // The broadcast's planner: she is not in the audience; the three others are.
    const broadcast = await insertBroadcast(handle.db, { campaignId: campaign.id, kind: 'update', subject: 'News', body: 'News', status: 'sending', startedAt: new Date() });
    while ((await planAudiencePage(handle.db, broadcast.id)).scanned > 0);
    const { rows } = await handle.pool.query<{ supporter_id: string }>('SELECT supporter_id FROM deliveries WHERE broadcast_id = $1', [broadcast.id]);
    expect(rows).toHaveLength(3);
    expect(rows.map((row) => row.supporter_id)).not.toContain(supporterId);

    // The sign-up: a new signature from the address is refused before anything is written.
    const [signature] = await recordFirstSignatures(handle.pool, [
      { slug: campaign.slug, email: normaliseEmail(`Élodie-${tag}@Exämple.org`), name: 'Élodie', postcode: null, ip: null },
    ]);
    expect(signature).toMatchObject({ campaignStatus: 'open', suppressed: true, supporterId: undefined, messageId: undefined });
  });

  it('is hashed the same by Postgres as by the service, for letters whose case mapping is not ASCII', async () => {
    for (const address of ['ÉLODIE@exämple.org', 'İSTANBUL@örnek.example', 'STRAẞE@beispiel.example', 'ΟΔΥΣΣΕΑΣ@παράδειγμα.example', 'Jane.Smith@Example.org']) {
      const { rows } = await handle.db.execute<{ suppressed: boolean; hash: Buffer }>(
        sql`SELECT sha256(convert_to(${normaliseEmail(address)}::text, 'UTF8')) AS hash,
          ${isSuppressedSql(sql`${normaliseEmail(address)}::text`, null)} AS suppressed`,
      );
      expect(Buffer.from(rows[0]!.hash).equals(emailHash(address))).toBe(true);
      expect(rows[0]!.suppressed).toBe(false);
      await addSuppression(handle.db, { email: address.toLowerCase(), organiserId: null, reason: 'erasure', source: 'erasure' });
      expect((await findSuppression(handle.db, address.toUpperCase(), null))?.reason).toBe('erasure');
    }
  });
});
