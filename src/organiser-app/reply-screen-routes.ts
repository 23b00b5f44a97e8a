/**
 * Replies under /app: the inbox, one reply with its evidence, its HTML (a sandboxed document) and
 * files, approving (behind a question page with the audience count) and rejecting through
 * decideOnReply, and entering a reply that came by post through recordManualReply: the API's
 * services and rules, with the signed-in user recorded as who decided or entered it. Owners act;
 * editors see. Another organiser's reply or file is a 404, like one that does not exist.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { countAudience } from '../broadcasts/audience-plan.js';
import { campaignIdParams } from '../campaigns/campaign-schemas.js';
import { getCampaign } from '../campaigns/campaign-service.js';
import { NotFoundError, StateError, TemplateError } from '../errors.js';
import { approvalBody, checkIntroduction } from '../replies/approval-body.js';
import { contentDisposition, listPublicReplyFiles, SHOWN_INLINE } from '../replies/public-reply-files.js';
import { introductionOf, replyAuthor } from '../replies/reply-attribution.js';
import { sanitiseReplyHtml } from '../replies/reply-html.js';
import { findOwnedAttachment, findOwnedReply, findReply, listCampaignReplies } from '../replies/reply-queries.js';
import { decideOnReply } from '../replies/reply-service.js';
import { sendPage } from '../web/page-reply.js';
import { actorNames } from './acting-users.js';
import type { AppContext } from './app-context.js';
import { requireOwner } from './app-user.js';
import { sendFramedDocument } from './framed-document.js';
import { alreadyDecidedPage, approvePage, type ApprovalField } from './reply-forms.js';
import { isUndecided, replyDocument, replyPage, repliesInboxPage } from './reply-pages.js';
import { postalReplyRoutes } from './postal-reply-routes.js';
import { confirmationPage } from '../web/app-page.js';
import type { FieldErrors } from '../web/form-fields.js';

const idParams = z.strictObject({ id: z.uuid() });
const inboxQuery = z.object({ done: z.enum(['rejected']).optional().catch(undefined) });
const replyQuery = z.object({ done: z.enum(['entered']).optional().catch(undefined) });
const approvalForm = z.object({ author: z.string().optional(), introduction: z.string().optional() });

export const replyScreenRoutes: FastifyPluginAsyncZod<AppContext> = async (app, context) => {
  const { db, letters } = context;
  const decisionDeps = { db, jobs: letters.broadcastJobs };

  async function ownedReply(organiserId: string, id: string) {
    const found = await findOwnedReply(db, organiserId, id);
    if (!found || found.campaign.deletedAt) throw new NotFoundError('Reply not found');
    return found;
  }

  app.get('/campaigns/:id/replies', { schema: { params: campaignIdParams, querystring: inboxQuery } }, async (request, reply) => {
    const campaign = await getCampaign(letters, request.appUser.organiserId, request.params.id);
    const replies = await listCampaignReplies(db, campaign.id);
    return sendPage(reply, 200, repliesInboxPage({ user: request.appUser, csrfToken: request.csrfToken, campaign, replies, done: request.query.done }));
  });

  await app.register(postalReplyRoutes, context);

  app.get('/replies/:id', { schema: { params: idParams, querystring: replyQuery } }, async (request, reply) => {
    const { reply: row, campaign } = await ownedReply(request.appUser.organiserId, request.params.id);
    const [files, names] = await Promise.all([listPublicReplyFiles(db, row.id), actorNames(db, [row.decidedByUserId, row.enteredByUserId])]);
    return sendPage(reply, 200, replyPage({ user: request.appUser, csrfToken: request.csrfToken, campaign, reply: row, files, names, done: request.query.done }));
  });

  app.get('/replies/:id/body.html', { schema: { params: idParams } }, async (request, reply) => {
    const { reply: row } = await ownedReply(request.appUser.organiserId, request.params.id);
    // Sanitised when received; again here, so a sanitiser fixed since then protects old replies too.
    return sendFramedDocument(reply, replyDocument(row, sanitiseReplyHtml(row.html)), { images: 'none' });
  });

  app.get('/reply-attachments/:id', { schema: { params: idParams } }, async (request, reply) => {
    const file = await findOwnedAttachment(db, request.appUser.organiserId, request.params.id);
    if (!file) throw new NotFoundError('File not found');
    // Always a download, never shown in our origin; the type only as checked when it was received.
    return reply
      .type(SHOWN_INLINE.has(file.contentType) ? file.contentType : 'application/octet-stream')
      .header('content-disposition', contentDisposition('attachment', file.filename))
      .header('x-content-type-options', 'nosniff')
      .send(file.content);
  });

  app.get('/replies/:id/approve', { schema: { params: idParams } }, async (request, reply) => {
    const user = requireOwner(request);
    const { reply: row, campaign } = await ownedReply(user.organiserId, request.params.id);
    if (!isUndecided(row)) return sendPage(reply, 200, alreadyDecidedPage({ user, csrfToken: request.csrfToken, reply: row }));
    const audience = await countAudience(db, campaign, 'supporters');
    const values = { author: replyAuthor(row), introduction: introductionOf(row) };
    return sendPage(reply, 200, approvePage({ user, csrfToken: request.csrfToken, campaign, reply: row, audience, values, errors: {} }));
  });

  app.post('/replies/:id/approve', { schema: { params: idParams, body: approvalForm } }, async (request, reply) => {
    const user = requireOwner(request);
    const { reply: row, campaign } = await ownedReply(user.organiserId, request.params.id);
    if (!isUndecided(row)) return sendPage(reply, 200, alreadyDecidedPage({ user, csrfToken: request.csrfToken, reply: row }));
    const values = { author: request.body.author ?? '', introduction: request.body.introduction ?? '' };
    // Only what the organiser changed is an edit: the defaults stay defaults.
    const author = values.author.trim() === '' || values.author === replyAuthor(row) ? undefined : values.author.trim();
    const introduction = values.introduction === introductionOf(row) ? undefined : values.introduction.replace(/\r\n/g, '\n');
    const errors: FieldErrors<ApprovalField> = {};
    const parsed = approvalBody.safeParse({ author, introduction });
    for (const issue of parsed.error?.issues ?? []) {
      const field = issue.path[0] === 'author' ? 'author' : 'introduction';
      errors[field] ??= field === 'author' ? 'Enter who wrote on one line, at most 200 characters' : 'Enter the introduction (at most 10,000 characters)';
    }
    let edits;
    if (parsed.success) {
      try {
        edits = checkIntroduction(parsed.data);
      } catch (error) {
        if (!(error instanceof TemplateError)) throw error;
        errors.introduction = `The introduction cannot be used: ${error.message.replace(/^introduction: /, '')}`;
      }
    }
    if (!edits || Object.keys(errors).length > 0) {
      const audience = await countAudience(db, campaign, 'supporters');
      return sendPage(reply, 400, approvePage({ user, csrfToken: request.csrfToken, campaign, reply: row, audience, values, errors }));
    }
    try {
      await decideOnReply(decisionDeps, user.organiserId, row.id, 'approve', edits, { userId: user.userId });
    } catch (error) {
      if (!(error instanceof StateError)) throw error;
    }
    // Whoever won a double click, the reply now has its one broadcast (or was rejected meanwhile).
    const current = (await findReply(db, row.id))!;
    if (current.status !== 'forwarded' || !current.broadcastId) return sendPage(reply, 200, alreadyDecidedPage({ user, csrfToken: request.csrfToken, reply: current }));
    return reply.redirect(`/app/broadcasts/${current.broadcastId}`, 303);
  });

  app.get('/replies/:id/reject', { schema: { params: idParams } }, async (request, reply) => {
    const user = requireOwner(request);
    const { reply: row } = await ownedReply(user.organiserId, request.params.id);
    if (!isUndecided(row)) return sendPage(reply, 200, alreadyDecidedPage({ user, csrfToken: request.csrfToken, reply: row }));
    return sendPage(
      reply,
      200,
      confirmationPage({
        title: 'Reject this reply?',
        user,
        csrfToken: request.csrfToken,
        nav: 'campaigns',
        question: [`“${row.subject}” from ${row.fromAddress}`, 'A rejected reply is never forwarded to supporters, and cannot be approved later.'],
        action: `/app/replies/${row.id}/reject`,
        confirmLabel: 'Reject the reply',
        cancelHref: `/app/replies/${row.id}`,
        danger: true,
      }),
    );
  });

  app.post('/replies/:id/reject', { schema: { params: idParams } }, async (request, reply) => {
    const user = requireOwner(request);
    const { reply: row, campaign } = await ownedReply(user.organiserId, request.params.id);
    try {
      if (!isUndecided(row)) throw new StateError('invalid_transition', `This reply is already ${row.status}`, 'status');
      await decideOnReply(decisionDeps, user.organiserId, row.id, 'reject', {}, { userId: user.userId });
    } catch (error) {
      if (!(error instanceof StateError)) throw error;
      return sendPage(reply, 200, alreadyDecidedPage({ user, csrfToken: request.csrfToken, reply: (await findReply(db, row.id))! }));
    }
    return reply.redirect(`/app/campaigns/${campaign.id}/replies?done=rejected`, 303);
  });
};
