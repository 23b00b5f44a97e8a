/**
 * Organiser routes over a campaign's supporters: a searchable, paginated list and a streamed CSV
 * export of the confirmed ones. Both check the campaign is the organiser's own first (404 if not).
 */
import { Readable } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { campaignIdParams, isWellFormedText, NOT_ONE_LINE } from '../campaigns/campaign-schemas.js';
import { getCampaign, type CampaignServiceDeps } from '../campaigns/campaign-service.js';
import { decodeCursor, encodeCursor } from '../http/keyset-cursor.js';
import type { Database } from '../db/client.js';
import { errorResponses } from '../http/error-schema.js';
import { csvRow } from './csv.js';
import { listSupporterPage, type SupporterListFilter } from './supporter-queries.js';

export const supporterListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(200).optional(),
  status: z.enum(['confirmed', 'unconfirmed']).optional(),
  subscribed: z.enum(['true', 'false']).optional().transform((value) => (value === undefined ? undefined : value === 'true')),
  q: z
    .string()
    .trim()
    .min(1)
    .max(254)
    .refine((value) => !NOT_ONE_LINE.test(value) && isWellFormedText(value), { message: 'must be text on one line, without control characters' })
    .optional()
    .describe('Start of a name or email address'),
});

const supporterView = z
  .object({
    id: z.uuid(),
    name: z.string(),
    email: z.string(),
    postcode: z.string().nullable(),
    status: z.enum(['confirmed', 'unconfirmed']),
    subscribed: z.boolean(),
    signedAt: z.iso.datetime(),
    confirmedAt: z.iso.datetime().nullable(),
    unsubscribedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'Supporter' });

type Row = Awaited<ReturnType<typeof listSupporterPage>>[number];

function toView({ supporter, email }: Row): z.output<typeof supporterView> {
  return {
    id: supporter.id,
    name: supporter.name,
    email,
    postcode: supporter.postcode,
    status: supporter.status,
    subscribed: supporter.unsubscribedAt === null,
    signedAt: supporter.createdAt.toISOString(),
    confirmedAt: supporter.confirmedAt?.toISOString() ?? null,
    unsubscribedAt: supporter.unsubscribedAt?.toISOString() ?? null,
  };
}

const EXPORT_PAGE = 1_000;

/** Confirmed supporters as CSV rows, a page at a time: memory stays flat however many there are. */
export async function* confirmedSupportersCsv(db: Database, campaignId: string): AsyncGenerator<string> {
  yield csvRow(['name', 'email', 'postcode', 'signed_at', 'confirmed_at', 'subscribed']);
  const filter: SupporterListFilter = { status: 'confirmed' };
  let after: { createdAt: string; id: string } | undefined;
  for (;;) {
    const rows = await listSupporterPage(db, campaignId, { limit: EXPORT_PAGE, after, filter });
    for (const { supporter, email } of rows) {
      yield csvRow([
        supporter.name,
        email,
        supporter.postcode,
        supporter.createdAt.toISOString(),
        supporter.confirmedAt?.toISOString(),
        supporter.unsubscribedAt ? 'no' : 'yes',
      ]);
    }
    const last = rows.at(-1);
    if (!last || rows.length < EXPORT_PAGE) return;
    after = { createdAt: last.cursorCreatedAt, id: last.supporter.id };
  }
}

export const organiserSupporterRoutes: FastifyPluginAsyncZod<{ campaigns: CampaignServiceDeps }> = async (app, { campaigns }) => {
  app.get('/campaigns/:id/supporters', {
    schema: {
      tags: ['supporters'],
      security: [{ apiKey: [] }],
      summary: 'List and search a campaign’s supporters, newest first',
      params: campaignIdParams,
      querystring: supporterListQuery,
      response: {
        200: z.object({ items: z.array(supporterView), nextCursor: z.string().nullable() }),
        ...errorResponses(400, 401, 404),
      },
    },
    handler: async (request) => {
      const campaign = await getCampaign(campaigns, request.organiserId, request.params.id);
      const { limit, cursor, status, subscribed, q } = request.query;
      const rows = await listSupporterPage(campaigns.db, campaign.id, {
        limit: limit + 1,
        after: cursor ? decodeCursor(cursor) : undefined,
        filter: { status, subscribed, search: q },
      });
      const items = rows.slice(0, limit);
      const last = items.at(-1);
      return {
        items: items.map(toView),
        nextCursor: rows.length > limit && last ? encodeCursor({ createdAt: last.cursorCreatedAt, id: last.supporter.id }) : null,
      };
    },
  });

  app.get('/campaigns/:id/supporters/export.csv', {
    schema: {
      tags: ['supporters'],
      security: [{ apiKey: [] }],
      summary: 'Download the confirmed supporters as CSV (streamed)',
      params: campaignIdParams,
      produces: ['text/csv'],
    },
    handler: async (request, reply) => {
      const campaign = await getCampaign(campaigns, request.organiserId, request.params.id);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${campaign.slug}-supporters.csv"`)
        .send(Readable.from(confirmedSupportersCsv(campaigns.db, campaign.id)));
    },
  });
};
