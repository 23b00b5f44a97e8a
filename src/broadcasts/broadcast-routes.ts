/**
 * Organiser routes for broadcasts: create, watch (JSON and server-sent events), and control
 * (start, pause, resume, cancel, retry-failed); and the preview of a template for one supporter.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { campaignIdParams, multiLine, singleLine } from '../campaigns/campaign-schemas.js';
import { getCampaign, type CampaignServiceDeps } from '../campaigns/campaign-service.js';
import { errorResponses } from '../http/error-schema.js';
import { listCampaignBroadcasts } from './broadcast-queries.js';
import {
  applyBroadcastAction,
  broadcastProgress,
  createBroadcast,
  getOwnedBroadcast,
  type BroadcastAction,
  type BroadcastServiceDeps,
} from './broadcast-service.js';
import { streamOwnedBroadcastProgress } from './progress-stream.js';
import { previewLetter } from '../templates/preview.js';
import { mergeFieldsDescription } from '../templates/merge-fields.js';

export const createBroadcastBody = z.strictObject({
  kind: z.enum(['letter', 'update', 'reply']),
  subject: singleLine(200).describe('Liquid template for the subject'),
  body: multiLine(200_000)
    .refine((value) => value.trim().length > 0, { message: 'must not be empty' })
    .describe(`Markdown with Liquid merge fields. ${mergeFieldsDescription()}`),
  scheduledAt: z.iso.datetime({ offset: true }).optional().describe('Start at this time instead of at once'),
});

const broadcastView = z
  .object({
    id: z.uuid(),
    campaignId: z.uuid(),
    kind: z.enum(['letter', 'update', 'reply']),
    audience: z.enum(['supporters', 'target']).describe('target: the letter delivered to the target, one per supporter'),
    subject: z.string(),
    status: z.enum(['draft', 'scheduled', 'sending', 'paused', 'cancelled', 'completed']),
    pausedReason: z.string().nullable(),
    scheduledAt: z.string().nullable(),
    startedAt: z.string().nullable(),
    completedAt: z.string().nullable(),
    counts: z.object({
      total: z.number().int(),
      pending: z.number().int(),
      sent: z.number().int().describe('Accepted by our SMTP server'),
      failed: z.number().int(),
      bounced: z.number().int().describe('Refused permanently: at RCPT, or by a delivery report after acceptance'),
      bouncedAfterAcceptance: z.number().int().describe('Of the bounced: reported by a delivery report after our SMTP server accepted the message'),
      complaints: z.number().int().describe('Recipients who reported the message as spam (ARF feedback reports)'),
      skipped: z.number().int(),
    }),
    ratePerSecond: z.number(),
    eta: z.number().nullable().describe('Seconds to go at the current rate'),
  })
  .meta({ id: 'Broadcast' });

export const broadcastIdParams = z.strictObject({ id: z.uuid({ message: 'must be a broadcast id (UUID)' }) });

const previewBody = z.strictObject({
  supporterId: z.uuid().optional().describe('Render for this supporter; sample data when absent'),
  subject: singleLine(200).optional().describe('Template to preview; the campaign letter when absent'),
  body: multiLine(200_000).optional().describe(`Markdown with Liquid merge fields. ${mergeFieldsDescription()}`),
});

const security = [{ apiKey: [] }];
const tags = ['broadcasts'];

export const broadcastRoutes: FastifyPluginAsyncZod<{
  campaigns: CampaignServiceDeps;
  broadcasts: BroadcastServiceDeps;
}> = async (app, { campaigns, broadcasts }) => {
  app.post('/campaigns/:id/broadcasts', {
    schema: {
      tags,
      security,
      summary: 'Create a broadcast (a draft) to the campaign’s supporters',
      params: campaignIdParams,
      body: createBroadcastBody,
      response: { 201: broadcastView, ...errorResponses(400, 401, 404, 422) },
    },
    handler: async (request, reply) => {
      const { scheduledAt, ...rest } = request.body;
      const created = await createBroadcast(campaigns, request.organiserId, request.params.id, {
        ...rest,
        scheduledAt: scheduledAt ? new Date(scheduledAt) : undefined,
      });
      return reply.code(201).header('location', `/api/v1/broadcasts/${created.id}`).send(await broadcastProgress(campaigns.db, created));
    },
  });

  app.get('/campaigns/:id/broadcasts', {
    schema: {
      tags,
      security,
      summary: 'The campaign’s broadcasts, newest first',
      params: campaignIdParams,
      response: { 200: z.object({ items: z.array(broadcastView) }), ...errorResponses(400, 401, 404) },
    },
    handler: async (request) => {
      const campaign = await getCampaign(campaigns, request.organiserId, request.params.id);
      const rows = await listCampaignBroadcasts(campaigns.db, campaign.id);
      return { items: await Promise.all(rows.map((row) => broadcastProgress(campaigns.db, row))) };
    },
  });

  app.get('/broadcasts/:id', {
    schema: { tags, security, summary: 'A broadcast’s status and progress', params: broadcastIdParams, response: { 200: broadcastView, ...errorResponses(400, 401, 404) } },
    handler: async (request) => {
      const { broadcast } = await getOwnedBroadcast(campaigns.db, request.organiserId, request.params.id);
      return broadcastProgress(campaigns.db, broadcast);
    },
  });

  app.get('/broadcasts/:id/events', {
    schema: {
      tags,
      security,
      summary: 'The same progress as server-sent events, once a second until the broadcast ends',
      params: broadcastIdParams,
      produces: ['text/event-stream'],
    },
    handler: async (request, reply) => streamOwnedBroadcastProgress(campaigns.db, request.organiserId, request.params.id, request, reply),
  });

  const actions: Record<BroadcastAction, string> = {
    start: 'Start sending now (or at scheduledAt); the audience is fixed at this moment',
    pause: 'Pause: takes effect within a second; nothing is lost',
    resume: 'Resume a paused broadcast where it stopped',
    cancel: 'Cancel: unsent deliveries are skipped and no work is left queued',
    'retry-failed': 'Queue the failed deliveries again (e.g. after fixing the SMTP account)',
  };
  for (const [action, summary] of Object.entries(actions) as Array<[BroadcastAction, string]>) {
    app.post(`/broadcasts/:id/${action}`, {
      schema: { tags, security, summary, params: broadcastIdParams, response: { 200: broadcastView, ...errorResponses(400, 401, 404, 422) } },
      handler: async (request) => {
        const moved = await applyBroadcastAction(broadcasts, request.organiserId, request.params.id, action, { via: 'api' });
        const progress = await broadcastProgress(campaigns.db, moved);
        request.log.info({ broadcastId: moved.id, action, status: moved.status, counts: progress.counts }, `broadcast ${action}: now ${moved.status}`);
        return progress;
      },
    });
  }

  app.post('/campaigns/:id/preview', {
    schema: {
      tags,
      security,
      summary: 'Render a template (the campaign letter by default) for one supporter or sample data',
      params: campaignIdParams,
      body: previewBody,
      response: { 200: z.object({ subject: z.string(), html: z.string(), text: z.string() }), ...errorResponses(400, 401, 404, 422) },
    },
    handler: async (request) => previewLetter(campaigns, request.organiserId, request.params.id, request.body),
  });
};
