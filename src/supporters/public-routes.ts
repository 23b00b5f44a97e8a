/**
 * The supporter-facing side: the campaign page and its sign form, the JSON sign-up API, the
 * confirmation link and the unsubscribe link. The form and the JSON API call the same service.
 */
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod, ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NotFoundError } from '../errors.js';
import { replyWithJsonError } from '../http/error-handler.js';
import { notFoundPage, sendPage } from '../web/page-reply.js';
import { errorResponses } from '../http/error-schema.js';
import { html } from '../web/html.js';
import { buttonPage, messagePage } from '../web/pages.js';
import { campaignPage, type FieldErrors, type SignFormState } from '../web/campaign-page.js';
import { loadCampaignPageModel } from './campaign-page-model.js';
import {
  confirmSignature,
  findPublicCampaign,
  limitPerIp,
  openLink,
  signCampaign,
  unsubscribe,
  type SupporterServiceDeps,
} from './signup-service.js';
import { signatureBody, slugParams, tokenParams } from './supporter-schemas.js';

export interface PublicRoutesOptions {
  service: SupporterServiceDeps;
  /** The campaign page's own address is this and /c/<slug> (preview tags, share links). */
  publicBaseUrl: string;
}

const CHECK_INBOX = 'Check your inbox: we have sent you an email with a link to confirm your signature.';

/** Form fields arrive as strings; turn them into what the JSON API takes, then validate the same way. */
function formToSignature(body: unknown) {
  const form = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const text = (key: string) => (typeof form[key] === 'string' ? form[key] : undefined);
  const raw = {
    name: text('name') ?? '',
    email: text('email') ?? '',
    postcode: text('postcode') || undefined,
    consent: text('consent') === 'true',
    website: text('website') || undefined,
  };
  return { raw, parsed: signatureBody.safeParse(raw) };
}

function fieldErrorsOf(error: z.ZodError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    const field = issue.path[0] as keyof FieldErrors;
    errors[field] ??= issue.message;
  }
  return errors;
}

export const publicRoutes: FastifyPluginAsyncZod<PublicRoutesOptions> = async (app, { service, publicBaseUrl }) => {
  const ipOf = (request: FastifyRequest) => request.ip;
  // One per-IP budget for the form and the JSON API: the form counts before its body is parsed, the
  // JSON API together with the per-email count in signCampaign (one Redis round trip).
  const limitSignupsPerIp = async (request: FastifyRequest) => limitPerIp(service, 'signup', ipOf(request));

  app.get('/c/:slug', { schema: { hide: true, params: slugParams } }, async (request, reply) => {
    const campaign = await findPublicCampaign(service.db, request.params.slug).catch((error: unknown) => {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    });
    if (!campaign) return sendPage(reply, 404, notFoundPage());
    return sendPage(reply, 200, campaignPage(await loadCampaignPageModel(service.db, campaign, publicBaseUrl)));
  });

  app.post(
    '/c/:slug',
    {
      schema: { hide: true, params: slugParams },
      onRequest: limitSignupsPerIp,
    },
    async (request, reply) => {
      const campaign = await findPublicCampaign(service.db, request.params.slug);
      const { raw, parsed } = formToSignature(request.body);
      if (campaign.status !== 'open' || !parsed.success) {
        const model = await loadCampaignPageModel(service.db, campaign, publicBaseUrl);
        if (campaign.status !== 'open') return sendPage(reply, 422, campaignPage(model));
        // What was typed and ticked comes back as it was: only what is wrong needs doing again.
        const state: SignFormState = { values: raw, errors: fieldErrorsOf(parsed.error!) };
        return sendPage(reply, 400, campaignPage(model, state));
      }
      await signCampaign(service, campaign.slug, parsed.data, { ip: ipOf(request), ipAlreadyCounted: true });
      return sendPage(reply, 202, messagePage('Check your inbox', [CHECK_INBOX, html`<a href="/c/${campaign.slug}">Back to the campaign</a>`]));
    },
  );

  app.post(
    '/api/v1/campaigns/:slug/signatures',
    {
      schema: {
        tags: ['supporters'],
        summary: 'Sign a campaign (public, no key): a confirmation email follows',
        description:
          'Answers 202 whether or not the address had already signed. Rate-limited per IP and per email address (429 with Retry-After).',
        params: slugParams,
        body: signatureBody,
        response: {
          202: z.object({ status: z.literal('pending_confirmation'), message: z.string() }),
          ...errorResponses(400, 404, 422, 429),
        },
      },
      // This scope answers with pages; this route is the JSON API and answers like the rest of it.
      errorHandler: (error, request, reply) => {
        void replyWithJsonError(error, request, reply);
      },
    },
    async (request, reply) => {
      await signCampaign(service, request.params.slug, request.body, { ip: ipOf(request) });
      return reply.code(202).send({ status: 'pending_confirmation' as const, message: CHECK_INBOX });
    },
  );

  // Confirmation. GET only shows a button: mail scanners open every link, and must not confirm.
  app.get('/confirm/:token', { schema: { hide: true, params: tokenParams } }, async (request, reply) => {
    const link = await openLink(service, request.params.token, 'confirm');
    if (!link.ok) return sendPage(reply, link.reason === 'expired' ? 410 : 404, linkProblemPage(link));
    const { supporter, campaign } = link.context;
    if (supporter.status === 'confirmed' && !supporter.unsubscribedAt) {
      return sendPage(reply, 200, messagePage('Already confirmed', [`Your signature on “${campaign.title}” is confirmed. Thank you.`]));
    }
    return sendPage(
      reply,
      200,
      buttonPage('Confirm your signature', [`Press the button to add your name to “${campaign.title}”.`], `/confirm/${request.params.token}`, 'Confirm my signature'),
    );
  });

  app.post('/confirm/:token', { schema: { hide: true, params: tokenParams } }, async (request, reply) => {
    const link = await openLink(service, request.params.token, 'confirm');
    if (!link.ok) return sendPage(reply, link.reason === 'expired' ? 410 : 404, linkProblemPage(link));
    const outcome = await confirmSignature(service, link.claims);
    const title = link.context.campaign.title;
    const messages = {
      confirmed: ['Thank you: your signature is confirmed', `Your name is on “${title}”. We have emailed you your copy of the letter.`],
      resubscribed: ['Welcome back', `You will hear about “${title}” again, including the official reply.`],
      already_confirmed: ['Already confirmed', `Your signature on “${title}” was already confirmed. Thank you.`],
    } as const;
    const [heading, text] = messages[outcome];
    return sendPage(reply, 200, messagePage(heading, [text]));
  });

  await app.register(async (scope) => {
    const unsubscribeScope = scope.withTypeProvider<ZodTypeProvider>();
    // RFC 8058 one-click: mail providers POST "List-Unsubscribe=One-Click" as a form, urlencoded or
    // multipart. The body says nothing we need beyond the scope choice of our own form.
    unsubscribeScope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 16 * 1024 }, (_request, _body, done) => done(null, {}));

    unsubscribeScope.get('/u/:token', { schema: { hide: true, params: tokenParams } }, async (request, reply) => {
      const link = await openLink(service, request.params.token, 'unsubscribe');
      if (!link.ok) return sendPage(reply, 404, linkProblemPage(link));
      return sendPage(
        reply,
        200,
        buttonPage(
          'Unsubscribe',
          [`Stop emails about “${link.context.campaign.title}”.`],
          `/u/${request.params.token}`,
          'Unsubscribe',
          html`<div class="field checkbox"><input type="checkbox" id="scope" name="scope" value="organisation"><label for="scope">Also unsubscribe from all campaigns from ${link.context.campaign.senderName}</label></div>`,
        ),
      );
    });

    unsubscribeScope.post('/u/:token', { schema: { hide: true, params: tokenParams } }, async (request, reply) => {
      const link = await openLink(service, request.params.token, 'unsubscribe');
      if (!link.ok) return sendPage(reply, 404, linkProblemPage(link));
      const body = (request.body ?? {}) as Record<string, unknown>;
      const scope = body.scope === 'organisation' ? 'organisation' : 'campaign';
      await unsubscribe(service, link.claims, scope);
      const from = scope === 'organisation' ? `any campaign from ${link.context.campaign.senderName}` : `“${link.context.campaign.title}”`;
      return sendPage(reply, 200, messagePage('You are unsubscribed', [`You will get no more emails about ${from}.`]));
    });
  });
};

export function linkProblemPage(link: { reason: 'invalid' | 'expired'; campaignSlug?: string | undefined }): string {
  if (link.reason === 'expired') {
    return messagePage('This link has expired', [
      'Links in our emails work for a limited time.',
      link.campaignSlug ? html`<a href="/c/${link.campaignSlug}">Sign again</a> to get a new one.` : 'Sign again to get a new one.',
    ]);
  }
  return messagePage('This link does not work', [
    'It may have been copied incompletely, or it belongs to a signature that no longer exists.',
  ]);
}
