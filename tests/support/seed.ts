/**
 * Arranges supporters directly in Postgres, for tests of code that runs before sign-up exists as an
 * API. Bulk inserts use generate_series so thousands of rows take milliseconds.
 */
import type { DatabaseHandle } from '../../src/db/client.js';

export async function seedSupporters(
  handle: DatabaseHandle,
  campaignId: string,
  count: number,
  tag: string,
): Promise<void> {
  await handle.pool.query(
    `WITH new_contacts AS (
       INSERT INTO contacts (email, name)
       SELECT 'supporter-' || $2::text || '-' || n || '@example.org', 'Supporter ' || n
       FROM generate_series(1, $3::int) AS n
       RETURNING id, name
     )
     INSERT INTO supporters (campaign_id, contact_id, name, status, consent_statement, consent_at, confirmed_at)
     SELECT $1::uuid, id, name, 'confirmed', 'I agree', now(), now() FROM new_contacts`,
    [campaignId, tag, count],
  );
}

export async function addSupporter(handle: DatabaseHandle, campaignId: string, contactId: string): Promise<void> {
  await handle.pool.query(
    `INSERT INTO supporters (campaign_id, contact_id, name, consent_statement, consent_at)
     VALUES ($1, $2, 'Shared supporter', 'I agree', now())`,
    [campaignId, contactId],
  );
}

export async function countRows(handle: DatabaseHandle, sql: string, params: unknown[]): Promise<number> {
  const { rows } = await handle.pool.query<{ n: string }>(sql, params);
  return Number(rows[0]!.n);
}
