/**
 * Broadcasts under /app: a campaign's list and the composer, one broadcast's page with its live
 * progress (the API's progress stream, behind the session), the test to yourself, and the actions,
 * each by the broadcast service the API uses with the signed-in user recorded as who acted. Owners
 * act; editors see, and their POSTs are 403. Starting and cancelling are asked first on a page of
 * their own (GET asks, POST acts). Another organiser's broadcast or campaign is a 404.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { countAudience } from '../broadcasts/audience-plan.js';
import { listCampaignBroadcasts } from '../broadcasts/broadcast-queries.js';
import { broadcastIdParams } from '../broadcasts/broadcast-routes.js';
import { applyBroadcastAction, broadcastProgress, createBroadcast, getOwnedBroadcast, type BroadcastAction, type BroadcastServiceDeps } from '../broadcasts/broadcast-service.js';
import { recordBroadcastTest } from '../broadcasts/broadcast-test-mail.js';
import { streamOwnedBroadcastProgress } from '../broadcasts/progress-stream.js';
import { campaignIdParams } from '../campaigns/campaign-schemas.js';
import { getCampaign, type CampaignServiceDeps } from '../campaigns/campaign-service.js';
import type { CampaignRow } from '../db/schema.js';
import { AppError, NotFoundError, StateError } from '../errors.js';
import { confirmationPage } from '../web/app-page.js';
import { sendPage } from '../web/page-reply.js';
import { requireOwner } from './app-user.js';
import { composeErrorsOf, composeFormBody, parseCompose, type ComposeValues } from './broadcast-compose.js';
import { BROADCAST_PROGRESS_JS } from './broadcast-progress-script.js';
import { broadcastsPage, PREVIEW_FIELDS } from './broadcasts-page.js';
import { undeliveredList, undeliveredQuery } from './undelivered-list.js';
import { broadcastPage } from './broadcast-page.js';
import { previewTemplate } from './letter-preview.js';
import { previewFragment } from './preview-view.js';
import { startQuestion } from './start-question.js';

const NEW_UPDATE: ComposeValues = { subject: 'News about “{{ campaign.title }}”', body: 'Dear {{ supporter.first_name }},\n\n', sendAt: '' };
const previewQuery = z.object({ fragment: z.literal('1').optional() });
const pageQuery = undeliveredQuery.extend({
  // Only says what the last action did; anything else is ignored rather than refused.
  done: z.enum(['created', 'test', 'start', 'pause', 'resume', 'cancel', 'retry-failed']).optional().catch(undefined),
});
/** The actions that are one press of a button; start and cancel are asked first. */
const DIRECT_ACTIONS = ['pause', 'resume', 'retry-failed'] as const;

export const broadcastAppRoutes: FastifyPluginAsyncZod<{
  campaigns: CampaignServiceDeps;
  broadcasts: BroadcastServiceDeps;
  queueMail: (messageIds: string[]) => void;
}> = async (app, { campaigns, broadcasts, queueMail }) => {
  const { db } = campaigns;

  app.get('/assets/broadcast-progress.js', async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(BROADCAST_PROGRESS_JS),
  );

  function preview(campaign: CampaignRow, template: { subject: string; body: string }) {
    const about = { title: campaign.title, targetName: campaign.targetName, senderName: campaign.senderName, senderEmail: campaign.senderEmail };
    return previewTemplate(db, template, about, {});
  }

  async function renderList(request: FastifyRequest, reply: FastifyReply, campaign: CampaignRow, state: { status: number; values: ComposeValues; errors: Record<string, string | undefined> }) {
    const rows = await listCampaignBroadcasts(db, campaign.id);
    const page = broadcastsPage({
      user: request.appUser,
      csrfToken: request.csrfToken,
      campaign,
      broadcasts: await Promise.all(rows.map((row) => broadcastProgress(db, row))),
      values: state.values,
      errors: state.errors,
      preview: await preview(campaign, state.values),
    });
    return sendPage(reply, state.status, page);
  }

  app.get('/campaigns/:id/broadcasts', { schema: { params: campaignIdParams } }, async (request, reply) => {
    const campaign = await getCampaign(campaigns, request.appUser.organiserId, request.params.id);
    return renderList(request, reply, campaign, { status: 200, values: NEW_UPDATE, errors: {} });
  });

  app.post('/campaigns/:id/broadcasts', { schema: { params: campaignIdParams } }, async (request, reply) => {
    const user = requireOwner(request);
    const campaign = await getCampaign(campaigns, user.organiserId, request.params.id);
    const values = composeFormBody.parse(request.body ?? {});
    const parsed = parseCompose(values);
    let errors = parsed.ok ? {} : parsed.errors;
    if (parsed.ok) {
      try {
        const created = await createBroadcast(campaigns, user.organiserId, campaign.id, { kind: 'update', ...parsed.input });
        return reply.redirect(`/app/broadcasts/${created.id}?done=created`, 303);
      } catch (error) {
        if (!(error instanceof AppError) || error instanceof NotFoundError) throw error;
        errors = composeErrorsOf(error);
      }
    }
    return renderList(request, reply, campaign, { status: 400, values, errors });
  });

  app.post('/campaigns/:id/broadcasts/preview', { schema: { params: campaignIdParams, querystring: previewQuery } }, async (request, reply) => {
    const campaign = await getCampaign(campaigns, request.appUser.organiserId, request.params.id);
    const values = composeFormBody.parse(request.body ?? {});
    if (request.query.fragment !== '1') return renderList(request, reply, campaign, { status: 200, values, errors: {} });
    return sendPage(reply, 200, previewFragment(await preview(campaign, values), PREVIEW_FIELDS).value);
  });

  app.get('/broadcasts/:id', { schema: { params: broadcastIdParams, querystring: pageQuery } }, async (request, reply) => {
    const { broadcast, campaign } = await getOwnedBroadcast(db, request.appUser.organiserId, request.params.id);
    const progress = await broadcastProgress(db, broadcast);
    const draft = broadcast.status === 'draft';
    const undelivered = await undeliveredList(db, broadcast.id, draft ? {} : request.query);
    const page = broadcastPage({
      user: request.appUser,
      csrfToken: request.csrfToken,
      campaign,
      progress,
      preview: draft ? await preview(campaign, broadcast) : undefined,
      undelivered,
      done: request.query.done,
    });
    return sendPage(reply, Object.keys(undelivered.errors).length > 0 ? 400 : 200, page);
  });

  // The API's progress stream, behind the session instead of an API key.
  app.get('/broadcasts/:id/events', { schema: { params: broadcastIdParams } }, async (request, reply) =>
    streamOwnedBroadcastProgress(db, request.appUser.organiserId, request.params.id, request, reply),
  );

  app.post('/broadcasts/:id/test', { schema: { params: broadcastIdParams } }, async (request, reply) => {
    const user = requireOwner(request);
    const { broadcast } = await getOwnedBroadcast(db, user.organiserId, request.params.id);
    if (broadcast.status !== 'draft') throw new StateError('invalid_transition', 'Only a draft can be tested: this broadcast has already started.');
    queueMail([await recordBroadcastTest(db, { organiserId: user.organiserId, broadcastId: broadcast.id, recipient: user.email })]);
    return reply.redirect(`/app/broadcasts/${broadcast.id}?done=test`, 303);
  });

  const act = async (request: FastifyRequest, reply: FastifyReply, broadcastId: string, action: BroadcastAction) => {
    const user = requireOwner(request);
    const moved = await applyBroadcastAction(broadcasts, user.organiserId, broadcastId, action, { via: 'app', userId: user.userId });
    request.log.info({ broadcastId: moved.id, action, status: moved.status, userId: user.userId }, `broadcast ${action}: now ${moved.status}`);
    return reply.redirect(`/app/broadcasts/${moved.id}?done=${action}`, 303);
  };

  for (const action of ['start', 'cancel'] as const) {
    app.get(`/broadcasts/:id/${action}`, { schema: { params: broadcastIdParams } }, async (request, reply) => {
      const user = requireOwner(request);
      const { broadcast, campaign } = await getOwnedBroadcast(db, user.organiserId, request.params.id);
      const audience = action === 'start' ? await countAudience(db, { id: campaign.id, organiserId: user.organiserId }, 'supporters') : 0;
      const ask = startQuestion(action, broadcast, campaign, audience);
      return sendPage(
        reply,
        200,
        confirmationPage({
          ...ask,
          user,
          csrfToken: request.csrfToken,
          nav: 'campaigns',
          action: `/app/broadcasts/${broadcast.id}/${action}`,
          cancelHref: `/app/broadcasts/${broadcast.id}`,
        }),
      );
    });
    app.post(`/broadcasts/:id/${action}`, { schema: { params: broadcastIdParams } }, async (request, reply) => act(request, reply, request.params.id, action));
  }
  for (const action of DIRECT_ACTIONS) {
    app.post(`/broadcasts/:id/${action}`, { schema: { params: broadcastIdParams } }, async (request, reply) => act(request, reply, request.params.id, action));
  }
};
