/**
 * Entering a reply that came by post, under /app: the API's fields (manualReplyFields) and its
 * service (recordManualReply), with the scanned letter uploaded as a PDF. The file must pass the
 * rule every forwarded file passes (attachment-policy.ts: name, declared type and content agree)
 * and be a PDF; anything else is an error beside the field, and nothing is recorded.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { campaignIdParams } from '../campaigns/campaign-schemas.js';
import { getCampaign } from '../campaigns/campaign-service.js';
import { sortAttachments, type ReceivedAttachment } from '../replies/attachment-policy.js';
import { manualReplyFields } from '../replies/reply-routes.js';
import { recordManualReply } from '../replies/reply-service.js';
import type { FieldErrors } from '../web/form-fields.js';
import { sendPage } from '../web/page-reply.js';
import type { AppContext } from './app-context.js';
import { requireOwner } from './app-user.js';
import { POSTAL_FIELDS, postalReplyPage, type PostalField } from './reply-forms.js';
import { uploadsOf } from './uploads.js';

const MESSAGES: Record<Exclude<PostalField, 'letter'>, string> = {
  fromName: 'Enter who wrote on one line, at most 200 characters',
  fromAddress: 'Enter their email address, like conflict.department@fco.gov.uk',
  subject: 'Enter the subject on one line, at most 300 characters',
  receivedAt: 'Enter the date on the letter as year-month-day, like 2014-06-17',
  body: 'Enter the text of the letter',
};

/** Whatever the form sent, as strings (a field sent twice, or not a string, counts as empty). */
const postalForm = z.record(z.string(), z.unknown()).transform((body) =>
  Object.fromEntries(POSTAL_FIELDS.map((field) => [field, typeof body[field] === 'string' ? body[field] : ''])) as Record<PostalField, string>,
);

async function checkLetterFile(files: ReceivedAttachment[], limits: { maxCount: number; maxTotalBytes: number }): Promise<string | undefined> {
  if (files.length > 1) return 'Upload one PDF';
  const [file] = files;
  if (!file) return undefined;
  const { forwarded, withheld } = await sortAttachments([file], limits);
  if (withheld.items[0]) return `“${file.filename}” cannot be forwarded: ${withheld.items[0].reason}. Upload the letter as a PDF`;
  if (forwarded[0]?.contentType !== 'application/pdf') return `“${file.filename}” is not a PDF. Upload the letter as a PDF`;
  return undefined;
}

export const postalReplyRoutes: FastifyPluginAsyncZod<AppContext> = async (app, { db, config, letters }) => {
  const limits = { maxCount: config.INBOUND_MAX_ATTACHMENTS, maxTotalBytes: config.INBOUND_MAX_ATTACHMENT_BYTES };

  app.get('/campaigns/:id/replies/new', { schema: { params: campaignIdParams } }, async (request, reply) => {
    const user = requireOwner(request);
    const campaign = await getCampaign(letters, user.organiserId, request.params.id);
    return sendPage(reply, 200, postalReplyPage({ user, csrfToken: request.csrfToken, campaign, values: {}, errors: {} }));
  });

  app.post('/campaigns/:id/replies', { schema: { params: campaignIdParams, body: postalForm } }, async (request, reply) => {
    const user = requireOwner(request);
    const campaign = await getCampaign(letters, user.organiserId, request.params.id);
    const values = request.body;
    const optional = (value: string) => (value.trim() === '' ? undefined : value);
    const parsed = manualReplyFields.safeParse({
      fromAddress: values.fromAddress,
      fromName: optional(values.fromName),
      subject: values.subject,
      body: values.body.replace(/\r\n/g, '\n'),
      receivedAt: optional(values.receivedAt),
    });
    const errors: FieldErrors<PostalField> = {};
    for (const issue of parsed.error?.issues ?? []) {
      const field = issue.path[0] as Exclude<PostalField, 'letter'>;
      if (field in MESSAGES) errors[field] ??= MESSAGES[field];
    }
    const files = uploadsOf(request).filter((file) => file.field === 'letter');
    const fileProblem = await checkLetterFile(files, limits);
    if (fileProblem) errors.letter = fileProblem;
    if (!parsed.success || Object.keys(errors).length > 0) {
      return sendPage(reply, 400, postalReplyPage({ user, csrfToken: request.csrfToken, campaign, values, errors }));
    }
    const { receivedAt, ...input } = parsed.data;
    const created = await recordManualReply(
      { db, jobs: letters.broadcastJobs },
      campaign,
      { ...input, receivedAt: receivedAt ? new Date(receivedAt) : undefined, attachments: files.map(({ filename, contentType, content }) => ({ filename, contentType, content })), enteredByUserId: user.userId },
      { inboundDomain: config.INBOUND_DOMAIN, attachmentLimits: limits },
    );
    return reply.redirect(`/app/replies/${created.id}?done=entered`, 303);
  });
};
