/**
 * A suppression as the API shows it and the CSV export writes it, and the export itself (a page at a
 * time, so memory stays flat however long the list is).
 */
import { z } from 'zod';
import type { Executor } from '../db/client.js';
import { csvRow } from '../supporters/csv.js';
import { listSuppressionPage, type SuppressionListRow } from './suppression-queries.js';
import { isRemovable } from './suppression-removal.js';

export const SUPPRESSION_REASONS = ['hard_bounce', 'complaint', 'erasure', 'unsubscribe_all'] as const;
export const SUPPRESSION_SOURCES = ['smtp', 'dsn', 'complaint', 'unsubscribe', 'erasure'] as const;

export const suppressionView = z
  .object({
    id: z.uuid(),
    email: z.string().nullable().describe('The address, when it is one of your supporters’ (only a hash of it is kept)'),
    scope: z.enum(['organisation', 'everywhere']).describe('organisation: your campaigns only; everywhere: every organisation’s'),
    reason: z.enum(SUPPRESSION_REASONS),
    source: z
      .enum(SUPPRESSION_SOURCES)
      .describe('smtp: refused while sending; dsn: a delivery report; complaint: a feedback report; unsubscribe: the person; erasure: the person’s erasure request'),
    campaign: z.object({ id: z.uuid(), title: z.string() }).nullable(),
    detail: z.string().nullable(),
    suppressedAt: z.iso.datetime({ offset: true }),
    removable: z.boolean().describe('Whether you may lift it (DELETE): never an everywhere-suppression or a person’s own unsubscribe'),
  })
  .meta({ id: 'Suppression' });

export type SuppressionView = z.output<typeof suppressionView>;

export function toSuppressionView(row: SuppressionListRow): SuppressionView {
  return {
    id: row.id,
    email: row.email,
    scope: row.everywhere ? 'everywhere' : 'organisation',
    reason: row.reason,
    source: row.source,
    campaign: row.campaignId && row.campaignTitle !== null ? { id: row.campaignId, title: row.campaignTitle } : null,
    detail: row.detail,
    suppressedAt: row.createdAt.toISOString(),
    removable: isRemovable(row),
  };
}

const EXPORT_PAGE = 1_000;

/** Every suppression the organiser may see, as CSV rows, newest first. */
export async function* suppressionsCsv(db: Executor, organiserId: string): AsyncGenerator<string> {
  yield csvRow(['id', 'email', 'scope', 'reason', 'source', 'campaign_id', 'campaign_title', 'detail', 'suppressed_at']);
  let after: { createdAt: string; id: string } | undefined;
  for (;;) {
    const rows = await listSuppressionPage(db, organiserId, { limit: EXPORT_PAGE, after });
    for (const row of rows) {
      const view = toSuppressionView(row);
      yield csvRow([view.id, view.email, view.scope, view.reason, view.source, view.campaign?.id, view.campaign?.title, view.detail, view.suppressedAt]);
    }
    const last = rows.at(-1);
    if (!last || rows.length < EXPORT_PAGE) return;
    after = { createdAt: last.cursorCreatedAt, id: last.id };
  }
}
