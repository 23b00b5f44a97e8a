/**
 * What the target was sent as a bundle (POST /campaigns/:id/deliver-letter, mode `bundle`): when, to
 * whom, with which Reply-To, the SMTP server's answer, and the PDF itself, byte for byte. Each
 * organiser sees only their own (another organiser's id is a 404).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { campaignIdParams } from '../campaigns/campaign-schemas.js';
import { getCampaign, type CampaignServiceDeps } from '../campaigns/campaign-service.js';
import { NotFoundError, StateError } from '../errors.js';
import { errorResponses } from '../http/error-schema.js';
import { findOwnedTargetLetter, listCampaignTargetLetters, targetLetterPdf, type SentLetterSummary } from './sent-letter-queries.js';

const targetLetterView = z
  .object({
    id: z.uuid(),
    campaignId: z.uuid(),
    status: z.enum(['pending', 'sending', 'sent', 'failed', 'skipped']).describe('sent: accepted by our SMTP server (250)'),
    to: z.object({ name: z.string(), address: z.string() }).nullable().describe('The target as addressed; null until the letter is made'),
    replyTo: z.string().nullable().describe('The campaign’s reply address the target answers to'),
    subject: z.string().nullable(),
    signatories: z.number().int().nullable().describe('Signatories listed in the letter'),
    attempts: z.number().int(),
    smtpResponse: z.string().nullable().describe('The SMTP server’s last answer (its 250 once sent)'),
    requestedAt: z.iso.datetime().describe('When delivery was asked for: the date on the letter'),
    sentAt: z.iso.datetime().nullable(),
    pdf: z
      .object({ url: z.string().describe('GET it with your API key'), bytes: z.number().int() })
      .nullable()
      .describe('The printed letter with its signatories, as attached to the mail; null until the letter is made'),
  })
  .meta({ id: 'TargetLetter' });

const targetLetterIdParams = z.strictObject({ id: z.uuid({ message: 'must be a target letter id (UUID)' }) });

function toView(row: SentLetterSummary): z.input<typeof targetLetterView> {
  return {
    id: row.id,
    campaignId: row.campaignId,
    status: row.status,
    to: row.toName !== null && row.toAddress !== null ? { name: row.toName, address: row.toAddress } : null,
    replyTo: row.replyTo,
    subject: row.subject,
    signatories: row.signatories,
    attempts: row.attempts,
    smtpResponse: row.lastResponse,
    requestedAt: row.createdAt.toISOString(),
    sentAt: row.sentAt?.toISOString() ?? null,
    pdf: row.pdfBytes === null ? null : { url: `/api/v1/target-letters/${row.id}/pdf`, bytes: Number(row.pdfBytes) },
  };
}

const tags = ['broadcasts'];
const security = [{ apiKey: [] }];

export const targetLetterRoutes: FastifyPluginAsyncZod<{ campaigns: CampaignServiceDeps }> = async (app, { campaigns }) => {
  app.get('/campaigns/:id/target-letters', {
    schema: {
      tags,
      security,
      summary: 'The letter delivered to the target as a bundle: when, to whom, the SMTP answer (newest first)',
      description: 'Usually one; a bundle that failed for good can be followed by another. Letters delivered one per supporter (mode individual) are a broadcast: see GET /campaigns/:id/broadcasts.',
      params: campaignIdParams,
      response: { 200: z.object({ items: z.array(targetLetterView) }), ...errorResponses(400, 401, 404) },
    },
    handler: async (request) => {
      const campaign = await getCampaign(campaigns, request.organiserId, request.params.id);
      return { items: (await listCampaignTargetLetters(campaigns.db, campaign.id)).map(toView) };
    },
  });

  app.get('/target-letters/:id', {
    schema: { tags, security, summary: 'One letter delivered to the target', params: targetLetterIdParams, response: { 200: targetLetterView, ...errorResponses(400, 401, 404) } },
    handler: async (request) => {
      const row = await findOwnedTargetLetter(campaigns.db, request.organiserId, request.params.id);
      if (!row) throw new NotFoundError('Target letter not found');
      return toView(row);
    },
  });

  app.get('/target-letters/:id/pdf', {
    schema: {
      tags,
      security,
      summary: 'The PDF the target received: the letter on the letterhead, then every signatory',
      description: '422 letter_not_made while the worker has not made it yet.',
      params: targetLetterIdParams,
      produces: ['application/pdf'],
    },
    handler: async (request, reply) => {
      const row = await findOwnedTargetLetter(campaigns.db, request.organiserId, request.params.id);
      if (!row) throw new NotFoundError('Target letter not found');
      const pdf = await targetLetterPdf(campaigns.db, row.id);
      if (!pdf) throw new StateError('letter_not_made', 'The letter is made when the worker sends it; it is not made yet');
      return reply
        .type('application/pdf')
        .header('content-disposition', `attachment; filename="letter-${row.id}.pdf"`)
        .header('cache-control', 'private, no-store')
        .send(pdf);
    },
  });
};
