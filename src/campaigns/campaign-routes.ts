/**
 * Organiser routes for campaigns under /api/v1/campaigns. Shapes in and out are zod; the rules
 * live in campaign-service.ts.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponses } from '../http/error-schema.js';
import {
  campaignIdParams,
  campaignPage,
  campaignDetailView,
  campaignView,
  createCampaignBody,
  listCampaignsQuery,
  updateCampaignBody,
} from './campaign-schemas.js';
import {
  createCampaign,
  deleteCampaign,
  getCampaign,
  listCampaigns,
  transitionCampaign,
  updateCampaign,
  type CampaignServiceDeps,
  type CampaignTransition,
} from './campaign-service.js';
import { toCampaignView, type PublicAddresses } from './campaign-view.js';
import { renderPublicLetter } from './public-letter.js';

export interface CampaignRoutesOptions {
  service: CampaignServiceDeps;
  addresses: PublicAddresses;
}

const security = [{ apiKey: [] }];
const tags = ['campaigns'];

export const campaignRoutes: FastifyPluginAsyncZod<CampaignRoutesOptions> = async (app, { service, addresses }) => {
  app.post('/campaigns', {
    schema: {
      tags,
      security,
      summary: 'Create a campaign (as a draft)',
      body: createCampaignBody,
      response: { 201: campaignView, ...errorResponses(400, 401, 409) },
    },
    handler: async (request, reply) => {
      const campaign = await createCampaign(service, request.organiserId, request.body);
      return reply.code(201).header('location', `/api/v1/campaigns/${campaign.id}`).send(toCampaignView(campaign, addresses));
    },
  });

  app.get('/campaigns', {
    schema: {
      tags,
      security,
      summary: 'List your campaigns, newest first',
      querystring: listCampaignsQuery,
      response: { 200: campaignPage, ...errorResponses(400, 401) },
    },
    handler: async (request) => {
      const page = await listCampaigns(service, request.organiserId, request.query);
      return { items: page.items.map((row) => toCampaignView(row, addresses)), nextCursor: page.nextCursor };
    },
  });

  app.get('/campaigns/:id', {
    schema: {
      tags,
      security,
      summary: 'Get one of your campaigns',
      params: campaignIdParams,
      response: { 200: campaignDetailView, ...errorResponses(400, 401, 404) },
    },
    handler: async (request) => {
      const campaign = await getCampaign(service, request.organiserId, request.params.id);
      const letter = renderPublicLetter(campaign);
      return { ...toCampaignView(campaign, addresses), letterProblem: letter.ok ? null : letter.problem };
    },
  });

  app.patch('/campaigns/:id', {
    schema: {
      tags,
      security,
      summary: 'Change a campaign',
      description: 'Slug, letter and target can only change while the campaign is a draft.',
      params: campaignIdParams,
      body: updateCampaignBody,
      response: { 200: campaignView, ...errorResponses(400, 401, 404, 409, 422) },
    },
    handler: async (request) =>
      toCampaignView(await updateCampaign(service, request.organiserId, request.params.id, request.body), addresses),
  });

  app.delete('/campaigns/:id', {
    schema: {
      tags,
      security,
      summary: 'Delete a draft or closed campaign with its supporters',
      params: campaignIdParams,
      response: { 204: z.null().describe('Deleted'), ...errorResponses(400, 401, 404, 422) },
    },
    handler: async (request, reply) => {
      await deleteCampaign(service, request.organiserId, request.params.id);
      return reply.code(204).send(null);
    },
  });

  const transitions: Record<CampaignTransition, string> = {
    publish: 'Publish a draft: its public page opens for sign-ups',
    close: 'Close an open campaign: no more sign-ups',
  };
  for (const [action, summary] of Object.entries(transitions) as Array<[CampaignTransition, string]>) {
    app.post(`/campaigns/:id/${action}`, {
      schema: {
        tags,
        security,
        summary,
        params: campaignIdParams,
        response: { 200: campaignView, ...errorResponses(400, 401, 404, 422) },
      },
      handler: async (request) =>
        toCampaignView(await transitionCampaign(service, request.organiserId, request.params.id, action), addresses),
    });
  }
};
