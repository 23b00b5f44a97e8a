/**
 * The "who did not get it" search of a broadcast page: the search text by the API's rule for
 * searching supporters (one line, at most 254 characters), the page after the last delivery id
 * shown; a bad value is an error beside the field and no rows, never a 500.
 */
import { z } from 'zod';
import { listUndeliveredPage } from '../broadcasts/undelivered-queries.js';
import type { Executor } from '../db/client.js';
import { supporterListQuery } from '../supporters/organiser-supporter-routes.js';
import type { UndeliveredList } from './broadcast-page.js';

export const UNDELIVERED_PER_PAGE = 50;

/** Loose on purpose: what a person typed comes back to them with the error beside it. */
export const undeliveredQuery = z.object({
  q: z.string().max(10_000).optional(),
  after: z.string().max(100).optional(),
});

export async function undeliveredList(db: Executor, broadcastId: string, query: z.output<typeof undeliveredQuery>): Promise<UndeliveredList> {
  const q = query.q ?? '';
  const list: UndeliveredList = { q, errors: {}, rows: [], nextAfter: null, later: query.after !== undefined };
  const search = supporterListQuery.shape.q.safeParse(q.trim() === '' ? undefined : q);
  if (!search.success) {
    list.errors.q = q.length > 254 ? 'Enter at most 254 characters: the start of a name or email address' : 'Enter a name or email address on one line';
  }
  const after = query.after === undefined ? undefined : Number(query.after);
  if (after !== undefined && !(Number.isSafeInteger(after) && after > 0)) list.errors.after = 'That page link is not valid any more.';
  if (Object.keys(list.errors).length > 0) return list;

  const rows = await listUndeliveredPage(db, broadcastId, { limit: UNDELIVERED_PER_PAGE + 1, afterId: after, search: search.data });
  list.rows = rows.slice(0, UNDELIVERED_PER_PAGE);
  list.nextAfter = rows.length > UNDELIVERED_PER_PAGE ? list.rows.at(-1)!.deliveryId : null;
  return list;
}
