/**
 * One campaign under /app: its overview, publishing and closing it (owners only, each behind a page
 * that asks first), and its supporters with their CSV export. Every route looks the campaign up
 * through the campaign service for the signed-in user's organiser: another organiser's is a 404.
 */
import { Readable } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { campaignIdParams } from '../campaigns/campaign-schemas.js';
import { getCampaign, transitionCampaign, type CampaignServiceDeps, type CampaignTransition } from '../campaigns/campaign-service.js';
import { toCampaignView, type PublicAddresses } from '../campaigns/campaign-view.js';
import { ValidationError } from '../errors.js';
import { decodeCursor, encodeCursor } from '../http/keyset-cursor.js';
import { confirmedSupportersCsv, supporterListQuery } from '../supporters/organiser-supporter-routes.js';
import { listSupporterPage, type SupporterListFilter } from '../supporters/supporter-queries.js';
import { confirmationPage } from '../web/app-page.js';
import { sendPage } from '../web/page-reply.js';
import { requireOwner } from './app-user.js';
import { campaignTimeline, signupsPerDay, supporterCounts } from './campaign-activity-queries.js';
import { campaignOverviewPage } from './campaign-overview-page.js';
import { SUPPORTER_FILTERS, supportersPage, type SupporterFilter, type SupportersPage } from './supporters-page.js';

/** How far back the sign-up chart looks. */
const CHART_DAYS = 30;
const SUPPORTERS_PER_PAGE = 50;

const overviewQuery = z.object({
  // Only says what the last action did; anything else is ignored rather than refused.
  done: z.enum(['created', 'saved', 'published', 'closed']).optional().catch(undefined),
});

/** The search form: the API's own rules for the search text and cursor, the app's names for statuses. */
const supportersQuery = z.object({
  q: z.string().max(254).optional(),
  status: z.enum(SUPPORTER_FILTERS).optional().catch('all'),
  cursor: supporterListQuery.shape.cursor,
});

const FILTERS: Record<SupporterFilter, SupporterListFilter> = {
  all: {},
  pending: { status: 'unconfirmed' },
  confirmed: { status: 'confirmed', subscribed: true },
  unsubscribed: { status: 'confirmed', subscribed: false },
};

const ASK: Record<CampaignTransition, { title: string; question: string; confirm: string; done: 'published' | 'closed' }> = {
  publish: {
    title: 'Publish this campaign?',
    question: 'Its public page opens for signatures at once. From then on its slug, letter and target cannot change, since supporters sign the letter as it is.',
    confirm: 'Publish the campaign',
    done: 'published',
  },
  close: {
    title: 'Close this campaign?',
    question: 'Its page stops taking signatures at once, and a closed campaign cannot be opened again. Supporters keep their copies and will still get the official reply.',
    confirm: 'Close the campaign',
    done: 'closed',
  },
};

export const campaignOverviewRoutes: FastifyPluginAsyncZod<{ service: CampaignServiceDeps; addresses: PublicAddresses }> = async (
  app,
  { service, addresses },
) => {
  app.get('/campaigns/:id', { schema: { params: campaignIdParams, querystring: overviewQuery } }, async (request, reply) => {
    const campaign = await getCampaign(service, request.appUser.organiserId, request.params.id);
    const view = toCampaignView(campaign, addresses);
    const [counts, days, timeline] = await Promise.all([
      supporterCounts(service.db, campaign.id),
      signupsPerDay(service.db, campaign.id, CHART_DAYS),
      campaignTimeline(service.db, campaign),
    ]);
    return sendPage(
      reply,
      200,
      campaignOverviewPage({
        user: request.appUser,
        csrfToken: request.csrfToken,
        campaign,
        publicUrl: view.publicUrl,
        replyAddress: view.replyAddress,
        counts,
        days,
        timeline,
        done: request.query.done,
      }),
    );
  });

  for (const action of ['publish', 'close'] as const) {
    const ask = ASK[action];
    app.get(`/campaigns/:id/${action}`, { schema: { params: campaignIdParams } }, async (request, reply) => {
      requireOwner(request);
      const campaign = await getCampaign(service, request.appUser.organiserId, request.params.id);
      return sendPage(
        reply,
        200,
        confirmationPage({
          title: ask.title,
          user: request.appUser,
          csrfToken: request.csrfToken,
          nav: 'campaigns',
          question: [campaign.title, ask.question],
          action: `/app/campaigns/${campaign.id}/${action}`,
          confirmLabel: ask.confirm,
          cancelHref: `/app/campaigns/${campaign.id}`,
          danger: action === 'close',
        }),
      );
    });

    app.post(`/campaigns/:id/${action}`, { schema: { params: campaignIdParams } }, async (request, reply) => {
      requireOwner(request);
      const campaign = await transitionCampaign(service, request.appUser.organiserId, request.params.id, action);
      return reply.redirect(`/app/campaigns/${campaign.id}?done=${ask.done}`, 303);
    });
  }

  app.get('/campaigns/:id/supporters', { schema: { params: campaignIdParams, querystring: supportersQuery } }, async (request, reply) => {
    const campaign = await getCampaign(service, request.appUser.organiserId, request.params.id);
    const { q = '', status = 'all', cursor } = request.query;
    const page: SupportersPage = {
      user: request.appUser,
      csrfToken: request.csrfToken,
      campaign,
      search: { q, status },
      errors: {},
      rows: [],
      nextCursor: null,
      later: cursor !== undefined,
    };
    // The API's rule for a search text: one line, no control characters.
    const search = supporterListQuery.shape.q.safeParse(q.trim() === '' ? undefined : q);
    if (!search.success) page.errors.q = 'Enter a name or email address on one line';
    let after;
    try {
      after = cursor ? decodeCursor(cursor) : undefined;
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      page.errors.cursor = 'That page link is not valid any more.';
    }
    if (Object.keys(page.errors).length > 0) return sendPage(reply, 400, supportersPage(page));

    const rows = await listSupporterPage(service.db, campaign.id, {
      limit: SUPPORTERS_PER_PAGE + 1,
      after,
      filter: { ...FILTERS[status], search: search.data },
    });
    const shown = rows.slice(0, SUPPORTERS_PER_PAGE);
    page.rows = shown;
    const last = shown.at(-1);
    page.nextCursor = rows.length > SUPPORTERS_PER_PAGE && last ? encodeCursor({ createdAt: last.cursorCreatedAt, id: last.supporter.id }) : null;
    return sendPage(reply, 200, supportersPage(page));
  });

  app.get('/campaigns/:id/supporters/export.csv', { schema: { params: campaignIdParams } }, async (request, reply) => {
    const campaign = await getCampaign(service, request.appUser.organiserId, request.params.id);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${campaign.slug}-supporters.csv"`)
      .header('cache-control', 'no-store')
      .send(Readable.from(confirmedSupportersCsv(service.db, campaign.id)));
  });
};
