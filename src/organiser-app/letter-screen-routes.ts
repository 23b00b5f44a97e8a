/**
 * The letter to the target under /app: the screen (with the preview made by the send's own code),
 * the previewed mail and PDF, sending it (owners, behind a question page, through deliverLetter, the
 * API's service), and the record of a sent bundle with its PDF. Every route looks the campaign or the
 * letter up for the signed-in user's organiser: another organiser's is a 404.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { countAudience } from '../broadcasts/audience-plan.js';
import { listCampaignBroadcasts } from '../broadcasts/broadcast-queries.js';
import { campaignIdParams } from '../campaigns/campaign-schemas.js';
import { getCampaign } from '../campaigns/campaign-service.js';
import { replyAddressOf } from '../campaigns/campaign-view.js';
import type { CampaignRow } from '../db/schema.js';
import { NotFoundError, StateError } from '../errors.js';
import { deliverLetter } from '../letters/deliver-letter.js';
import { BUNDLE_PDF_NAME, letterheadLogoUrl } from '../letters/compose-target-letter.js';
import { findOwnedTargetLetter, listCampaignTargetLetters, targetLetterPdf } from '../letters/sent-letter-queries.js';
import { draftTargetLetter } from '../letters/target-letter-draft.js';
import { targetLetterHtml } from '../letters/bundle-letter-mail.js';
import { composeIndividualLetter } from '../letters/individual-letter-mail.js';
import { buildTargetLetterPdf } from '../letters/target-letter-pdf.js';
import { makeLinkUrls } from '../links/link-urls.js';
import { renderLetter } from '../templates/render-template.js';
import { confirmationPage } from '../web/app-page.js';
import { html } from '../web/html.js';
import { sendPage } from '../web/page-reply.js';
import { actorNames } from './acting-users.js';
import type { AppContext } from './app-context.js';
import { requireOwner } from './app-user.js';
import { sendFramedDocument } from './framed-document.js';
import { letterPage, signedBy, targetLetterPage, type LetterMode } from './letter-page.js';

const modeQuery = z.object({
  mode: z.enum(['bundle', 'individual']).optional().catch(undefined),
  done: z.enum(['sent']).optional().catch(undefined),
});
const sendForm = z.strictObject({ mode: z.enum(['bundle', 'individual']) });
const letterIdParams = z.strictObject({ id: z.uuid() });

export const letterScreenRoutes: FastifyPluginAsyncZod<AppContext> = async (app, context) => {
  const { db, config, letters } = context;
  const replyAddress = (campaign: CampaignRow) => replyAddressOf(campaign.replyToken, config.INBOUND_DOMAIN);
  const links = makeLinkUrls(config);

  /** The mail for the mode, made by the code that sends it: the bundle's, or the first signatory's copy. */
  async function previewMail(campaign: CampaignRow, mode: LetterMode) {
    const { sheet, organisation } = await draftTargetLetter(db, campaign);
    if (mode === 'bundle') {
      return {
        from: `${campaign.senderName} <${config.MAIL_FROM}>`,
        subject: sheet.subject,
        html: targetLetterHtml(sheet, letterheadLogoUrl(campaign, organisation, config.PUBLIC_BASE_URL)),
        signatories: sheet.signatories,
      };
    }
    const first = sheet.signatories[0] ?? { name: 'Jane Ó Briain', postcode: 'SW1A 2AH', signedAt: new Date() };
    const mail = composeIndividualLetter(
      (data) => renderLetter({ subject: campaign.letterSubject, body: campaign.letterBody }, data),
      campaign.id,
      campaign,
      { supporterId: campaign.id, name: first.name, postcode: first.postcode, email: '', signedAt: first.signedAt, confirmed: true, unsubscribed: false, suppressedBecause: null },
      { mailFrom: config.MAIL_FROM, inboundDomain: config.INBOUND_DOMAIN, secret: config.SECRET_KEY, links },
      { organisation, logoUrl: letterheadLogoUrl(campaign, organisation, config.PUBLIC_BASE_URL), date: new Date() },
    );
    return { from: `${mail.from.name} <${mail.from.address}>`, subject: mail.subject, html: mail.html ?? '', signatories: sheet.signatories, copyOf: sheet.signatories[0]?.name };
  }

  app.get('/campaigns/:id/letter', { schema: { params: campaignIdParams, querystring: modeQuery } }, async (request, reply) => {
    const campaign = await getCampaign(letters, request.appUser.organiserId, request.params.id);
    const mode = request.query.mode ?? 'bundle';
    const [preview, bundles, broadcasts] = await Promise.all([
      previewMail(campaign, mode),
      listCampaignTargetLetters(db, campaign.id),
      listCampaignBroadcasts(db, campaign.id),
    ]);
    const individual = broadcasts.filter((b) => b.audience === 'target' && b.status !== 'draft');
    const names = await actorNames(db, [...bundles.map((l) => l.sentByUserId), ...individual.map((b) => b.startedByUserId)]);
    return sendPage(
      reply,
      200,
      letterPage({
        user: request.appUser,
        csrfToken: request.csrfToken,
        campaign,
        mode,
        replyAddress: replyAddress(campaign),
        signatoryCount: preview.signatories.length,
        preview,
        bundles,
        individual,
        names,
        done: request.query.done,
      }),
    );
  });

  app.get('/campaigns/:id/letter/preview.html', { schema: { params: campaignIdParams, querystring: modeQuery } }, async (request, reply) => {
    const campaign = await getCampaign(letters, request.appUser.organiserId, request.params.id);
    const preview = await previewMail(campaign, request.query.mode ?? 'bundle');
    return sendFramedDocument(reply, preview.html, { images: 'own' });
  });

  app.get('/campaigns/:id/letter/preview.pdf', { schema: { params: campaignIdParams } }, async (request, reply) => {
    const campaign = await getCampaign(letters, request.appUser.organiserId, request.params.id);
    const { sheet } = await draftTargetLetter(db, campaign);
    const pdf = await buildTargetLetterPdf(sheet, config.LETTER_FONT_DIR);
    return reply.type('application/pdf').header('content-disposition', `inline; filename="${BUNDLE_PDF_NAME}"`).header('x-content-type-options', 'nosniff').send(pdf);
  });

  app.get('/campaigns/:id/letter/send', { schema: { params: campaignIdParams, querystring: modeQuery } }, async (request, reply) => {
    requireOwner(request);
    const campaign = await getCampaign(letters, request.appUser.organiserId, request.params.id);
    if (campaign.status === 'draft') throw new StateError('campaign_not_published', 'Publish the campaign and gather signatures before delivering the letter', 'status');
    const mode = request.query.mode ?? 'bundle';
    const count = await countAudience(db, campaign, 'target');
    const how =
      mode === 'bundle'
        ? 'One mail goes to the target: the letter with the list of signatories, attached as PDF and CSV.'
        : `Each supporter’s own copy goes to the target: ${count.toLocaleString('en-GB')} ${count === 1 ? 'mail' : 'mails'}.`;
    return sendPage(
      reply,
      200,
      confirmationPage({
        title: `Send to ${campaign.targetName}, ${signedBy(count)}?`,
        user: request.appUser,
        csrfToken: request.csrfToken,
        nav: 'campaigns',
        question: [how, `Replies come back to ${replyAddress(campaign)}. The letter goes once: this cannot be undone.`],
        action: `/app/campaigns/${campaign.id}/letter/send`,
        confirmLabel: 'Send the letter',
        cancelHref: `/app/campaigns/${campaign.id}/letter?mode=${mode}`,
        fields: html`<input type="hidden" name="mode" value="${mode}">`,
      }),
    );
  });

  app.post('/campaigns/:id/letter/send', { schema: { params: campaignIdParams, body: sendForm } }, async (request, reply) => {
    const user = requireOwner(request);
    const campaign = await getCampaign(letters, user.organiserId, request.params.id);
    await deliverLetter(letters, user.organiserId, campaign.id, request.body.mode, { userId: user.userId });
    return reply.redirect(`/app/campaigns/${campaign.id}/letter?mode=${request.body.mode}&done=sent`, 303);
  });

  async function ownedLetter(organiserId: string, id: string) {
    const letter = await findOwnedTargetLetter(db, organiserId, id);
    if (!letter) throw new NotFoundError('Target letter not found');
    return letter;
  }

  app.get('/target-letters/:id', { schema: { params: letterIdParams } }, async (request, reply) => {
    const letter = await ownedLetter(request.appUser.organiserId, request.params.id);
    const campaign = await getCampaign(letters, request.appUser.organiserId, letter.campaignId);
    const names = await actorNames(db, [letter.sentByUserId]);
    return sendPage(reply, 200, targetLetterPage({ user: request.appUser, csrfToken: request.csrfToken, campaign, letter, names }));
  });

  app.get('/target-letters/:id/pdf', { schema: { params: letterIdParams } }, async (request, reply) => {
    const letter = await ownedLetter(request.appUser.organiserId, request.params.id);
    const pdf = await targetLetterPdf(db, letter.id);
    if (!pdf) throw new StateError('letter_not_made', 'The letter is made when the worker sends it; it is not made yet');
    return reply.type('application/pdf').header('content-disposition', `inline; filename="${BUNDLE_PDF_NAME}"`).header('x-content-type-options', 'nosniff').send(pdf);
  });
};
