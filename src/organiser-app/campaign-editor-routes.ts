/**
 * The campaigns list and the campaign editor (new, edit, preview) under /app. Every rule is the
 * campaign service's and the API's schemas' (see campaign-form.ts); these routes only turn a form
 * into a request body and the service's refusals into errors beside fields. Nothing is saved unless
 * the whole form is valid.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { campaignIdParams, listCampaignsQuery } from '../campaigns/campaign-schemas.js';
import { createCampaign, getCampaign, listCampaigns, updateCampaign, type CampaignServiceDeps } from '../campaigns/campaign-service.js';
import type { CampaignRow } from '../db/schema.js';
import { DEFAULT_CONSENT_STATEMENT } from '../db/schema.js';
import { AppError, NotFoundError } from '../errors.js';
import { campaignActivities } from './campaign-activity-queries.js';
import {
  CAMPAIGN_FIELDS,
  campaignFormBody,
  errorsOfServiceError,
  formValuesFromCampaign,
  formValuesOf,
  isLockedField,
  parseCampaignEdit,
  parseNewCampaign,
  type CampaignFormValues,
  type FieldErrors,
} from './campaign-form.js';
import { campaignFormPage } from './campaign-form-page.js';
import { campaignListPage } from './campaign-list-page.js';
import { cleanPreviewName, previewLetterForm } from './letter-preview.js';
import { LETTER_PREVIEW_JS } from './letter-preview-script.js';
import { previewFragment } from './preview-view.js';
import { sendPage } from '../web/page-reply.js';

const EMPTY_FORM = Object.fromEntries(CAMPAIGN_FIELDS.map((field) => [field, ''])) as CampaignFormValues;
const NEW_FORM: CampaignFormValues = { ...EMPTY_FORM, 'replyPolicy.mode': 'approve', consentStatement: DEFAULT_CONSENT_STATEMENT };

/** The editor's own keys beside the campaign's fields. */
const editorBody = campaignFormBody.extend({ previewAs: z.string().max(254).optional() });
const previewQuery = z.object({ fragment: z.literal('1').optional() });

/**
 * The posted form. One that is not a form of ours (a field sent twice, a value of another type) was
 * not typed by a person: the ZodError becomes the app's 400 page.
 */
function readForm(request: FastifyRequest): z.output<typeof editorBody> {
  return editorBody.parse(request.body ?? {});
}

/** The service's refusal as errors beside fields; anything that is not about the form goes on up. */
function serviceErrors(error: unknown): FieldErrors {
  if (error instanceof AppError && !(error instanceof NotFoundError)) return errorsOfServiceError(error);
  throw error;
}

export const campaignEditorRoutes: FastifyPluginAsyncZod<{ service: CampaignServiceDeps }> = async (app, { service }) => {
  app.get('/assets/letter-preview.js', async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(LETTER_PREVIEW_JS),
  );

  app.get('/campaigns', { schema: { querystring: listCampaignsQuery.pick({ cursor: true }) } }, async (request, reply) => {
    const { appUser: user } = request;
    const page = await listCampaigns(service, user.organiserId, { limit: 20, cursor: request.query.cursor });
    const activities = await campaignActivities(service.db, page.items.map((campaign) => campaign.id));
    return sendPage(
      reply,
      200,
      campaignListPage({
        user,
        csrfToken: request.csrfToken,
        campaigns: page.items.map((campaign) => ({ campaign, activity: activities.get(campaign.id)! })),
        nextCursor: page.nextCursor,
        later: request.query.cursor !== undefined,
      }),
    );
  });

  async function renderEditor(
    request: FastifyRequest,
    reply: FastifyReply,
    state: { status: number; campaign?: CampaignRow; values: CampaignFormValues; errors: FieldErrors; previewAs?: string | undefined },
  ) {
    const previewAs = cleanPreviewName(state.previewAs);
    const preview = await previewLetterForm(service.db, state.values, { campaignId: state.campaign?.id, supporterName: previewAs });
    return sendPage(
      reply,
      state.status,
      campaignFormPage({
        user: request.appUser,
        csrfToken: request.csrfToken,
        campaign: state.campaign,
        values: state.values,
        errors: state.errors,
        preview,
        previewAs,
      }),
    );
  }

  app.get('/campaigns/new', async (request, reply) => renderEditor(request, reply, { status: 200, values: NEW_FORM, errors: {} }));

  app.post('/campaigns/new', async (request, reply) => {
    const values = formValuesOf(readForm(request));
    const parsed = parseNewCampaign(values);
    let errors = parsed.ok ? {} : parsed.errors;
    if (parsed.ok) {
      try {
        const created = await createCampaign(service, request.appUser.organiserId, parsed.input);
        return reply.redirect(`/app/campaigns/${created.id}?done=created`, 303);
      } catch (error) {
        errors = serviceErrors(error);
      }
    }
    return renderEditor(request, reply, { status: 400, values, errors });
  });

  app.get('/campaigns/:id/edit', { schema: { params: campaignIdParams } }, async (request, reply) => {
    const campaign = await getCampaign(service, request.appUser.organiserId, request.params.id);
    return renderEditor(request, reply, { status: 200, campaign, values: formValuesFromCampaign(campaign), errors: {} });
  });

  app.post('/campaigns/:id/edit', { schema: { params: campaignIdParams } }, async (request, reply) => {
    const { organiserId } = request.appUser;
    const campaign = await getCampaign(service, organiserId, request.params.id);
    const form = readForm(request);
    const values = lockedAsSaved(formValuesOf(form), campaign);
    const parsed = parseCampaignEdit(values, campaign.status);
    let errors = parsed.ok ? {} : parsed.errors;
    if (parsed.ok) {
      try {
        await updateCampaign(service, organiserId, campaign.id, parsed.input);
        return reply.redirect(`/app/campaigns/${campaign.id}?done=saved`, 303);
      } catch (error) {
        errors = serviceErrors(error);
      }
    }
    return renderEditor(request, reply, { status: 400, campaign, values, errors, previewAs: form.previewAs });
  });

  /** The preview of what is in the form: the whole editor again (no script), or only the preview (script). */
  async function preview(request: FastifyRequest, reply: FastifyReply, fragment: boolean, campaign?: CampaignRow) {
    const form = readForm(request);
    const values = campaign ? lockedAsSaved(formValuesOf(form), campaign) : formValuesOf(form);
    if (!fragment) return renderEditor(request, reply, { status: 200, campaign, values, errors: {}, previewAs: form.previewAs });
    const result = await previewLetterForm(service.db, values, { campaignId: campaign?.id, supporterName: cleanPreviewName(form.previewAs) });
    return sendPage(reply, 200, previewFragment(result).value);
  }

  app.post('/campaigns/new/preview', { schema: { querystring: previewQuery } }, async (request, reply) =>
    preview(request, reply, request.query.fragment === '1'),
  );

  app.post('/campaigns/:id/preview', { schema: { params: campaignIdParams, querystring: previewQuery } }, async (request, reply) => {
    const campaign = await getCampaign(service, request.appUser.organiserId, request.params.id);
    return preview(request, reply, request.query.fragment === '1', campaign);
  });
};

/**
 * A published campaign's locked fields are read-only in the form and never sent to the service, so
 * the page shows (and previews) them as saved, whatever a tampered form says.
 */
function lockedAsSaved(values: CampaignFormValues, campaign: CampaignRow): CampaignFormValues {
  const saved = formValuesFromCampaign(campaign);
  return Object.fromEntries(
    CAMPAIGN_FIELDS.map((field) => [field, isLockedField(field, campaign.status) ? saved[field] : values[field]]),
  ) as CampaignFormValues;
}
