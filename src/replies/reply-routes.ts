/** Organiser routes over official replies: see them (held ones with their reason), approve or reject. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { BroadcastJobs } from '../broadcasts/broadcast-jobs.js';
import { campaignIdParams, multiLine, singleLine } from '../campaigns/campaign-schemas.js';
import { getCampaign, type CampaignServiceDeps } from '../campaigns/campaign-service.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { errorResponses } from '../http/error-schema.js';
import { validationSentence } from '../http/validation-message.js';
import type { AttachmentLimits } from './attachment-policy.js';
import { findOwnedReply, listAttachmentSummaries, listCampaignInbound, listCampaignReplies, type ReplyRow } from './reply-queries.js';
import multipart from '@fastify/multipart';
import { decideOnReply, recordManualReply } from './reply-service.js';
import { introductionOf, replyAuthor, replyDate } from './reply-attribution.js';
import { approvalBody, checkIntroduction } from './approval-body.js';

const replyView = z
  .object({
    id: z.uuid(),
    campaignId: z.uuid(),
    status: z.enum(['held', 'awaiting_approval', 'forwarded', 'rejected']),
    trusted: z.boolean().describe('Allowed sender and (where required) DMARC pass'),
    reason: z.string().nullable().describe('Why it is held or awaits approval'),
    from: z.object({ address: z.string(), name: z.string().nullable() }),
    author: z.string().describe('Who wrote, as supporters and the public page are told: set when approving, else the From name, else the address'),
    datedAt: z.iso.datetime().describe('The letter’s own date (its Date header, or the date entered); the arrival when it had none'),
    introduction: z.string().describe('The introduction supporters get above the reply (Liquid merge fields allowed); editable when approving'),
    subject: z.string(),
    text: z.string(),
    html: z.string().describe('Sanitised'),
    authentication: z.record(z.string(), z.unknown()).describe('DKIM, SPF and DMARC results'),
    attachments: z.array(z.object({ filename: z.string(), contentType: z.string(), size: z.number().int() })).describe('Forwarded with the reply'),
    withheldAttachments: z
      .array(z.object({ filename: z.string(), contentType: z.string(), reason: z.string() }))
      .describe('Received but never forwarded (not a document or image, or over the count or size limit); at most the first 100'),
    withheldAttachmentCount: z.number().int().describe('How many were withheld in all'),
    broadcastId: z.uuid().nullable(),
    receivedAt: z.iso.datetime(),
  })
  .meta({ id: 'Reply' });

const inboundView = z
  .object({
    id: z.uuid(),
    via: z.enum(['smtp', 'http']),
    envelopeFrom: z.string().nullable(),
    status: z.enum(['received', 'processed', 'failed']).describe('received: not yet processed; failed: given up, see outcome'),
    outcome: z.string().nullable().describe('What became of it, or why it could not be processed'),
    attempts: z.number().int(),
    size: z.number().int().nullable().describe('Bytes as received'),
    rawKept: z.boolean().describe('False once the raw message is deleted (INBOUND_RETENTION_DAYS)'),
    receivedAt: z.iso.datetime(),
    processedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'InboundMessage' });

const replyIdParams = z.strictObject({ id: z.uuid({ message: 'must be a reply id (UUID)' }) });

async function toViews(db: CampaignServiceDeps['db'], rows: ReplyRow[]) {
  const attachments = await listAttachmentSummaries(db, rows.map((row) => row.id));
  return rows.map((row) => ({
    id: row.id,
    campaignId: row.campaignId,
    status: row.status,
    trusted: row.trusted,
    reason: row.reason,
    from: { address: row.fromAddress, name: row.fromName },
    author: replyAuthor(row),
    datedAt: replyDate(row).toISOString(),
    introduction: introductionOf(row),
    subject: row.subject,
    text: row.text,
    html: row.html,
    authentication: row.authentication ? (JSON.parse(row.authentication) as Record<string, unknown>) : {},
    attachments: attachments.filter((a) => a.replyId === row.id).map(({ filename, contentType, size }) => ({ filename, contentType, size })),
    withheldAttachments: row.withheldAttachments.items,
    withheldAttachmentCount: row.withheldAttachments.count,
    broadcastId: row.broadcastId,
    receivedAt: row.receivedAt.toISOString(),
  }));
}

/** A reply that came by post, as the API and the web app's form take it. */
export const manualReplyFields = z.strictObject({
  fromAddress: z.email().trim().max(254),
  fromName: singleLine(200).optional(),
  subject: singleLine(300),
  body: multiLine(500_000).refine((value) => value.trim().length > 0, { message: 'must not be empty' }),
  format: z.enum(['markdown', 'html']).default('markdown'),
  receivedAt: z.iso.date().optional().describe('The date on the letter, e.g. 2014-06-17'),
});

export const replyRoutes: FastifyPluginAsyncZod<{
  campaigns: CampaignServiceDeps;
  jobs: Pick<BroadcastJobs, 'plan'>;
  inboundDomain: string;
  maxAttachmentBytes: number;
  attachmentLimits: AttachmentLimits;
}> = async (app, { campaigns, jobs, inboundDomain, maxAttachmentBytes, attachmentLimits }) => {
  const tags = ['replies'];
  const security = [{ apiKey: [] }];

  app.get('/campaigns/:id/replies', {
    schema: { tags, security, summary: 'The campaign’s official replies, newest first', params: campaignIdParams, response: { 200: z.object({ items: z.array(replyView) }), ...errorResponses(400, 401, 404) } },
    handler: async (request) => {
      const campaign = await getCampaign(campaigns, request.organiserId, request.params.id);
      return { items: await toViews(campaigns.db, await listCampaignReplies(campaigns.db, campaign.id)) };
    },
  });

  app.get('/campaigns/:id/inbound', {
    schema: {
      tags,
      security,
      summary: 'Mail received at the campaign’s reply address and what became of it (a reply, a duplicate, or failed with its reason), newest first',
      params: campaignIdParams,
      response: { 200: z.object({ items: z.array(inboundView) }), ...errorResponses(400, 401, 404) },
    },
    handler: async (request) => {
      const campaign = await getCampaign(campaigns, request.organiserId, request.params.id);
      const rows = await listCampaignInbound(campaigns.db, campaign.id);
      return {
        items: rows.map((row) => ({
          ...row,
          via: row.via === 'http' ? ('http' as const) : ('smtp' as const),
          receivedAt: row.receivedAt.toISOString(),
          processedAt: row.processedAt?.toISOString() ?? null,
        })),
      };
    },
  });

  app.get('/replies/:id', {
    schema: { tags, security, summary: 'One reply', params: replyIdParams, response: { 200: replyView, ...errorResponses(400, 401, 404) } },
    handler: async (request) => {
      const found = await findOwnedReply(campaigns.db, request.organiserId, request.params.id);
      if (!found || found.campaign.deletedAt) throw new NotFoundError('Reply not found');
      return (await toViews(campaigns.db, [found.reply]))[0]!;
    },
  });

  await app.register(multipart, { limits: { fileSize: maxAttachmentBytes, files: 10, fields: 20, fieldSize: 1_000_000 } });

  app.post('/campaigns/:id/replies', {
    schema: {
      tags,
      security,
      summary: 'Enter a reply that came by post (multipart: fields from, fromName?, subject, body, format?, receivedAt?; files)',
      description:
        'Send multipart/form-data with the fields below and any number of files (the scanned letter, as PDF), or JSON without files. ' +
        'The reply is trusted; it is forwarded at once when the campaign’s policy is auto, otherwise it awaits approval.',
      params: campaignIdParams,
      response: { 201: replyView, ...errorResponses(400, 401, 404, 413) },
    },
    handler: async (request, reply) => {
      const campaign = await getCampaign(campaigns, request.organiserId, request.params.id);
      const fields: Record<string, unknown> = {};
      const attachments: Array<{ filename: string; contentType: string; content: Buffer }> = [];
      if (request.isMultipart()) {
        try {
          for await (const part of request.parts()) {
            if (part.type === 'file') {
              attachments.push({ filename: part.filename || 'attachment', contentType: part.mimetype, content: await part.toBuffer() });
            } else {
              fields[part.fieldname] = part.value;
            }
          }
        } catch (error) {
          // Limits (413) keep their status; a body that is not multipart at all is the sender's error.
          const status = (error as { statusCode?: number }).statusCode;
          if (status !== undefined && status >= 400 && status < 500) throw error;
          throw new ValidationError('The multipart body could not be read', 'body');
        }
      } else {
        Object.assign(fields, request.body ?? {});
      }
      const parsed = manualReplyFields.safeParse(fields);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        const field = issue.path.join('.') || 'body';
        throw new ValidationError(validationSentence(field, issue.message), field);
      }
      const { receivedAt, ...input } = parsed.data;
      const created = await recordManualReply(
        { db: campaigns.db, jobs },
        campaign,
        { ...input, receivedAt: receivedAt ? new Date(receivedAt) : undefined, attachments },
        { inboundDomain, attachmentLimits },
      );
      return reply.code(201).send((await toViews(campaigns.db, [created]))[0]!);
    },
  });

  for (const decision of ['approve', 'reject'] as const) {
    app.post(`/replies/:id/${decision}`, {
      schema: {
        tags,
        security,
        summary: decision === 'approve' ? 'Forward a held reply to every supporter' : 'Reject a held reply: it is never forwarded',
        ...(decision === 'approve'
          ? { description: 'Optionally with a JSON body setting who wrote (`author`) and the `introduction` supporters read above the reply; without one, the reply goes with its default introduction.' }
          : {}),
        params: replyIdParams,
        ...(decision === 'approve' ? { body: approvalBody } : {}),
        response: { 200: replyView, ...errorResponses(400, 401, 404, 422) },
      },
      handler: async (request) => {
        const edits = decision === 'approve' ? checkIntroduction(approvalBody.parse(request.body)) : {};
        const reply = await decideOnReply({ db: campaigns.db, jobs }, request.organiserId, request.params.id, decision, edits);
        return (await toViews(campaigns.db, [reply]))[0]!;
      },
    });
  }
};
