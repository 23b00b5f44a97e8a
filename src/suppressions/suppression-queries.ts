/**
 * What an organiser may see of the suppression list: its own suppressions (`organiser_id` its own),
 * and the everywhere-suppressions its own campaigns' mail caused (a hard bounce of its broadcast).
 * An everywhere-suppression another organiser's mail caused, or an erasure, is never listed: for an
 * address the organiser looks up, it learns only that the address is suppressed everywhere, and why
 * (lookUpSuppression), never whose campaign it was or when.
 *
 * Only a hash of each address is kept. A listed suppression shows its address when it is one of the
 * organiser's own supporters: the page's hashes are matched against the hashes of the organiser's
 * supporters' addresses, so no other organiser's contact is ever read. That match hashes each of the
 * organiser's supporters once per page (contacts carry no stored hash to index).
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import type { KeysetCursor } from '../http/keyset-cursor.js';
import { emailHash, normaliseEmail } from '../supporters/email-address.js';
import type { SuppressionReason, SuppressionSource } from './suppressions.js';

export interface SuppressionListRow {
  id: string;
  /** The address, when it is one of the organiser's supporters' (or the one looked up). */
  email: string | null;
  /** True for an everywhere-suppression (its campaign is then the organiser's own). */
  everywhere: boolean;
  reason: SuppressionReason;
  source: SuppressionSource;
  campaignId: string | null;
  campaignTitle: string | null;
  detail: string | null;
  createdAt: Date;
  /** created_at as Postgres text, for the next page's cursor (no microsecond lost). */
  cursorCreatedAt: string;
}

type RawRow = {
  id: string;
  email: string | null;
  organiser_id: string | null;
  reason: SuppressionReason;
  source: SuppressionSource;
  campaign_id: string | null;
  campaign_title: string | null;
  detail: string | null;
  created_at: string;
  cursor_created_at: string;
};

/** SQL: the address with this hash, if it is one of the organiser's supporters' (NULL otherwise). */
export function supporterAddressSql(organiserId: string, hash: SQL): SQL {
  return sql`(SELECT ct.email FROM campaigns c JOIN supporters s ON s.campaign_id = c.id JOIN contacts ct ON ct.id = s.contact_id
    WHERE c.organiser_id = ${organiserId}::uuid AND sha256(convert_to(ct.email, 'UTF8')) = ${hash} LIMIT 1)`;
}

/** The suppressions row `sp` is one this organiser may see (see the file comment). */
function visibleTo(organiserId: string): SQL {
  return sql`(sp.organiser_id = ${organiserId}::uuid
    OR (sp.organiser_id IS NULL AND sp.campaign_id IN (SELECT c.id FROM campaigns c WHERE c.organiser_id = ${organiserId}::uuid)))`;
}

function toRow(raw: RawRow): SuppressionListRow {
  return {
    id: raw.id,
    email: raw.email,
    everywhere: raw.organiser_id === null,
    reason: raw.reason,
    source: raw.source,
    campaignId: raw.campaign_title === null ? null : raw.campaign_id,
    campaignTitle: raw.campaign_title,
    detail: raw.detail,
    createdAt: new Date(raw.created_at),
    cursorCreatedAt: raw.cursor_created_at,
  };
}

/**
 * One page of what the organiser may see, newest first, after the cursor; narrowed to one address
 * (whose text is then shown as given) or one id. Relies on suppressions_organiser_created_idx and
 * suppressions_campaign_idx.
 */
async function selectVisible(
  db: Executor,
  organiserId: string,
  options: { limit: number; after?: KeysetCursor | undefined; email?: string; id?: string },
): Promise<SuppressionListRow[]> {
  const conditions: SQL[] = [visibleTo(organiserId)];
  if (options.after) {
    conditions.push(sql`(sp.created_at, sp.id) < (${options.after.createdAt}::timestamptz, ${options.after.id}::uuid)`);
  }
  if (options.email !== undefined) conditions.push(sql`sp.email_hash = ${emailHash(options.email)}`);
  if (options.id !== undefined) conditions.push(sql`sp.id = ${options.id}::uuid`);
  const address =
    options.email !== undefined
      ? sql`${normaliseEmail(options.email)}::text`
      : supporterAddressSql(organiserId, sql`page.email_hash`);
  const result = await db.execute<RawRow>(sql`
    WITH page AS (
      SELECT sp.id, sp.email_hash, sp.organiser_id, sp.reason, sp.source, sp.campaign_id, sp.detail, sp.created_at,
             sp.created_at::text AS cursor_created_at
      FROM suppressions sp
      WHERE ${sql.join(conditions, sql` AND `)}
      ORDER BY sp.created_at DESC, sp.id DESC
      LIMIT ${options.limit}
    )
    SELECT page.id, page.organiser_id, page.reason, page.source, page.campaign_id, page.detail,
           to_json(page.created_at) #>> '{}' AS created_at,
           page.cursor_created_at, ca.title AS campaign_title, ${address} AS email
    FROM page
    LEFT JOIN campaigns ca ON ca.id = page.campaign_id AND ca.organiser_id = ${organiserId}::uuid
    ORDER BY page.created_at DESC, page.id DESC`);
  return result.rows.map(toRow);
}

/** One page of the organiser's suppression list, newest first. */
export function listSuppressionPage(
  db: Executor,
  organiserId: string,
  options: { limit: number; after?: KeysetCursor | undefined },
): Promise<SuppressionListRow[]> {
  return selectVisible(db, organiserId, options);
}

/** One suppression the organiser may see, by id; undefined if there is none or it is not theirs to see. */
export async function findVisibleSuppression(db: Executor, organiserId: string, id: string): Promise<SuppressionListRow | undefined> {
  const [row] = await selectVisible(db, organiserId, { limit: 1, id });
  return row;
}

export interface SuppressionLookup {
  email: string;
  /** Whether mail to this address is stopped for this organiser's campaigns. */
  suppressed: boolean;
  /** The suppressions of this address the organiser may see (its own, and the ones its mail caused). */
  suppressions: SuppressionListRow[];
  /** Suppressed everywhere, for whatever organiser: the reason only. */
  everywhere: { reason: SuppressionReason } | null;
}

/** Whether an address is suppressed for this organiser, and what of it the organiser may know. */
export async function lookUpSuppression(db: Executor, organiserId: string, email: string): Promise<SuppressionLookup> {
  const rows = await selectVisible(db, organiserId, { limit: 2, email });
  const global = await db.execute<{ reason: SuppressionReason }>(
    sql`SELECT sp.reason FROM suppressions sp WHERE sp.email_hash = ${emailHash(email)} AND sp.organiser_id IS NULL`,
  );
  const everywhere = global.rows[0] ? { reason: global.rows[0].reason } : null;
  return { email: normaliseEmail(email), suppressed: rows.length > 0 || everywhere !== null, suppressions: rows, everywhere };
}
