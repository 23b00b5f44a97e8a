/**
 * /app/suppressions: everyone signed in may look (the list, a lookup, the export); only owners lift a
 * suppression, through a question page with a reason (POST with the CSRF token). The rules of what is
 * shown and what may be lifted are the API's (src/suppressions); bad input is told beside its field
 * and changes nothing.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../errors.js';
import { decodeCursor, encodeCursor } from '../http/keyset-cursor.js';
import { recentRemovals } from '../suppressions/removal-history.js';
import { findVisibleSuppression, listSuppressionPage, lookUpSuppression } from '../suppressions/suppression-queries.js';
import { assertRemovable, removeSuppression } from '../suppressions/suppression-removal.js';
import { removalBody, suppressionEmail } from '../suppressions/suppression-routes.js';
import { suppressionsCsv } from '../suppressions/suppression-view.js';
import { sendPage } from '../web/page-reply.js';
import type { AppContext } from './app-context.js';
import { requireOwner } from './app-user.js';
import { removalPage, suppressionsPage, type SuppressionsPage } from './suppressions-page.js';

const PAGE_SIZE = 50;
const REMOVALS_SHOWN = 10;
const listQuery = z.object({ email: z.string().max(1000).optional(), cursor: z.string().max(200).optional(), done: z.string().max(20).optional() });
const idParams = z.object({ id: z.string().max(100) });
const SUPPRESSION_ID = z.uuid();
const removalForm = z.object({ reason: z.unknown().optional() });

/** The form's reason as the API checks it, or the sentence to show beside the field. */
function checkedReason(value: unknown): { reason: string } | { error: string } {
  if (typeof value !== 'string' || value.trim() === '') return { error: 'Enter why you are lifting it' };
  const parsed = removalBody.shape.reason.safeParse(value);
  return parsed.success ? { reason: parsed.data } : { error: 'Enter the reason on one line, in at most 500 characters' };
}

export async function suppressionsRoutes(app: FastifyInstance, { db }: AppContext): Promise<void> {
  const hide = { schema: { hide: true } };

  /** The suppression the organiser may lift, or 404 (another organiser's id, or no such one). */
  async function removable(request: FastifyRequest) {
    const owner = requireOwner(request);
    const { id } = idParams.parse(request.params);
    const row = SUPPRESSION_ID.safeParse(id).success ? await findVisibleSuppression(db, owner.organiserId, id) : undefined;
    if (!row) throw new NotFoundError('Suppression not found');
    return { owner, row };
  }

  app.get('/suppressions', hide, async (request, reply) => {
    const { organiserId } = request.appUser;
    const query = listQuery.parse(request.query);
    const page: SuppressionsPage = {
      user: request.appUser,
      csrfToken: request.csrfToken,
      notice: query.done === 'removed' ? 'The suppression is lifted, and the lifting recorded. Your next mail to the address goes out.' : undefined,
      lookup: { email: query.email ?? '' },
      rows: [],
      nextCursor: null,
      later: query.cursor !== undefined,
      removals: await recentRemovals(db, organiserId, REMOVALS_SHOWN),
    };
    if (query.email !== undefined) {
      const email = suppressionEmail.safeParse(query.email);
      if (email.success) page.lookup.found = await lookUpSuppression(db, organiserId, email.data);
      else page.lookup.error = 'Enter an email address like name@example.org';
    }
    let after;
    try {
      after = query.cursor ? decodeCursor(query.cursor) : undefined;
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      page.cursorError = 'This page link is not valid.';
    }
    if (!page.cursorError) {
      const rows = await listSuppressionPage(db, organiserId, { limit: PAGE_SIZE + 1, after });
      page.rows = rows.slice(0, PAGE_SIZE);
      const last = page.rows.at(-1);
      page.nextCursor = rows.length > PAGE_SIZE && last ? encodeCursor({ createdAt: last.cursorCreatedAt, id: last.id }) : null;
    }
    const invalid = page.lookup.error !== undefined || page.cursorError !== undefined;
    return sendPage(reply, invalid ? 400 : 200, suppressionsPage(page));
  });

  app.get('/suppressions/export.csv', hide, async (request, reply) =>
    reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', 'attachment; filename="suppressions.csv"')
      .send(Readable.from(suppressionsCsv(db, request.appUser.organiserId))),
  );

  app.get('/suppressions/:id/remove', hide, async (request, reply) => {
    const { owner, row } = await removable(request);
    assertRemovable(row);
    return sendPage(reply, 200, removalPage({ user: owner, csrfToken: request.csrfToken, row, reason: '' }));
  });

  app.post('/suppressions/:id/remove', hide, async (request, reply) => {
    const { owner, row } = await removable(request);
    const form = removalForm.parse(request.body ?? {});
    const checked = checkedReason(form.reason);
    if ('error' in checked) {
      const reason = typeof form.reason === 'string' ? form.reason : '';
      return sendPage(reply, 400, removalPage({ user: owner, csrfToken: request.csrfToken, row, reason, error: checked.error }));
    }
    // Not removable (everywhere, or the person's own unsubscribe): the service refuses, the page says why.
    await removeSuppression(db, owner.organiserId, row.id, { reason: checked.reason, by: { userId: owner.userId } });
    return reply.redirect('/app/suppressions?done=removed', 303);
  });
}
