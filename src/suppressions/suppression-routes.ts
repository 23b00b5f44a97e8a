/**
 * The suppression list in the API: list (or look up one address), lift one with a reason, export.
 * What an organiser sees and may lift is decided in suppression-queries.ts and suppression-removal.ts.
 */
import { Readable } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { singleLine } from '../campaigns/campaign-schemas.js';
import type { Database } from '../db/client.js';
import { ValidationError } from '../errors.js';
import { errorResponses } from '../http/error-schema.js';
import { decodeCursor, encodeCursor } from '../http/keyset-cursor.js';
import { listSuppressionPage, lookUpSuppression } from './suppression-queries.js';
import { removeSuppression } from './suppression-removal.js';
import { SUPPRESSION_REASONS, suppressionsCsv, suppressionView, toSuppressionView } from './suppression-view.js';

export const suppressionEmail = z.string().trim().min(1).max(254).pipe(z.email({ message: 'must be an email address' }));

export const suppressionListQuery = z.strictObject({
  email: suppressionEmail.optional().describe('Look this address up instead of listing'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(200).optional(),
});

export const removalBody = z.strictObject({
  reason: singleLine(500).describe('Why you lift it; kept with the record of the removal'),
});

const suppressionIdParams = z.strictObject({ id: z.uuid({ message: 'must be a suppression id (UUID)' }) });

const lookupView = z
  .object({
    email: z.string(),
    suppressed: z.boolean().describe('Whether mail to this address is stopped for your campaigns'),
    everywhere: z
      .object({ reason: z.enum(SUPPRESSION_REASONS) })
      .nullable()
      .describe('Suppressed for every organisation: the reason only'),
  })
  .meta({ id: 'SuppressionLookup' });

const removalView = z
  .object({ id: z.uuid(), suppressionId: z.uuid(), reason: z.string(), removedAt: z.iso.datetime({ offset: true }) })
  .meta({ id: 'SuppressionRemoval' });

export const suppressionRoutes: FastifyPluginAsyncZod<{ db: Database }> = async (app, { db }) => {
  app.get('/suppressions', {
    schema: {
      tags: ['suppressions'],
      security: [{ apiKey: [] }],
      summary: 'List your suppressions, newest first, or look one address up (?email=)',
      description:
        'Lists your own suppressions and the everywhere-suppressions your campaigns’ mail caused. With `email`, ' +
        'returns that address’s suppressions you may see, and in `lookup` whether it is suppressed for your ' +
        'campaigns at all (an everywhere-suppression caused elsewhere shows its reason only).',
      querystring: suppressionListQuery,
      response: {
        200: z.object({ items: z.array(suppressionView), nextCursor: z.string().nullable(), lookup: lookupView.nullable() }),
        ...errorResponses(400, 401),
      },
    },
    handler: async (request) => {
      const { email, limit, cursor } = request.query;
      if (email !== undefined) {
        if (cursor !== undefined) throw new ValidationError('a lookup by email has no pages', 'cursor');
        const found = await lookUpSuppression(db, request.organiserId, email);
        return {
          items: found.suppressions.map(toSuppressionView),
          nextCursor: null,
          lookup: { email: found.email, suppressed: found.suppressed, everywhere: found.everywhere },
        };
      }
      const rows = await listSuppressionPage(db, request.organiserId, { limit: limit + 1, after: cursor ? decodeCursor(cursor) : undefined });
      const items = rows.slice(0, limit);
      const last = items.at(-1);
      return {
        items: items.map(toSuppressionView),
        nextCursor: rows.length > limit && last ? encodeCursor({ createdAt: last.cursorCreatedAt, id: last.id }) : null,
        lookup: null,
      };
    },
  });

  app.get('/suppressions/export.csv', {
    schema: {
      tags: ['suppressions'],
      security: [{ apiKey: [] }],
      summary: 'Download your suppressions as CSV (streamed)',
      produces: ['text/csv'],
    },
    handler: async (request, reply) =>
      reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="suppressions.csv"')
        .send(Readable.from(suppressionsCsv(db, request.organiserId))),
  });

  app.delete('/suppressions/:id', {
    schema: {
      tags: ['suppressions'],
      security: [{ apiKey: [] }],
      summary: 'Lift one of your suppressions, with a reason (recorded)',
      description:
        'Only a suppression for your campaigns alone can be lifted (422 `suppressed_everywhere` otherwise: it protects every ' +
        'organisation’s mail), and never a person’s own unsubscribe from all (422 `unsubscribed_by_the_person`).',
      params: suppressionIdParams,
      body: removalBody,
      response: { 200: removalView, ...errorResponses(400, 401, 404, 422) },
    },
    handler: async (request) => {
      const removal = await removeSuppression(db, request.organiserId, request.params.id, {
        reason: request.body.reason,
        by: { apiKeyId: request.apiKeyId },
      });
      return { ...removal, removedAt: removal.removedAt.toISOString() };
    },
  });
};
