/**
 * A supporter's data rights, no login needed: ask for a link by email, then download or erase.
 * Every step answers the same whether or not we hold the address.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { linkProblemPage } from '../supporters/public-routes.js';
import { limitPerIp, openLink, type SupporterServiceDeps } from '../supporters/signup-service.js';
import { tokenParams } from '../supporters/supporter-schemas.js';
import { html } from '../web/html.js';
import { sendPage } from '../web/page-reply.js';
import { messagePage, page } from '../web/pages.js';
import { eraseContact, exportPersonalData, requestPrivacyLink } from './privacy-service.js';

const emailForm = z.object({ email: z.string().trim().max(254).pipe(z.email()) });


function requestPage(error?: string): string {
  return page(
    error ? 'Error: Your data' : 'Your data',
    html`<h1>Your data</h1>
<p>We will email you a link to download everything we hold about you, or to erase it.</p>
<form method="post" action="/privacy" novalidate>
  <div class="field${error ? ' invalid' : ''}">
    <label for="email">Email address you signed with</label>
    ${error ? html`<span class="error" id="email-error">${error}</span>` : ''}
    <input type="email" id="email" name="email" autocomplete="email"${error ? html` aria-invalid="true" aria-describedby="email-error"` : ''}>
  </div>
  <button type="submit">Email me a link</button>
</form>`,
  );
}

/** `letterFontDir`: erasure makes the stored copies of letters to the target again, without the name. */
export const privacyRoutes: FastifyPluginAsyncZod<{ service: SupporterServiceDeps; letterFontDir: string }> = async (app, { service, letterFontDir }) => {
  app.get('/privacy', { schema: { hide: true } }, async (_request, reply) => sendPage(reply, 200, requestPage()));

  app.post(
    '/privacy',
    {
      schema: { hide: true },
      onRequest: async (request) => limitPerIp(service, 'privacy', request.ip),
    },
    async (request, reply) => {
      const parsed = emailForm.safeParse(request.body);
      if (!parsed.success) return sendPage(reply, 400, requestPage('Enter an email address like name@example.org'));
      await requestPrivacyLink(service, parsed.data.email);
      return sendPage(
        reply,
        202,
        messagePage('Check your inbox', ['If we hold data for this address, we have emailed it a link. The link works for a limited time.']),
      );
    },
  );

  app.get('/privacy/:token', { schema: { hide: true, params: tokenParams } }, async (request, reply) => {
    const link = await openLink(service, request.params.token, 'privacy');
    if (!link.ok) return sendPage(reply, link.reason === 'expired' ? 410 : 404, linkProblemPage(link));
    const base = `/privacy/${request.params.token}`;
    return sendPage(
      reply,
      200,
      page(
        'Your data',
        html`<h1>Your data</h1>
<p>What we hold about ${link.context.contact.email}:</p>
<ul>
  <li>your email address, and the name you first signed with;</li>
  <li>for each campaign you signed: the name and postcode you gave, when you signed and confirmed, whether you unsubscribed, and your consent: the statement you agreed to, when, and the internet (IP) address it came from;</li>
  <li>a record of each email we sent you, and of each letter sent to the target in your name: what it was, when, and what the receiving mail server answered;</li>
  <li>if a campaign’s letter went to the target with its list of signatories: your name, postcode and the day you signed in that list, in the copy of the letter we keep.</li>
</ul>
<p>Nothing else: no postal address, no phone number, no payment details.</p>
<form method="post" action="${base}/download"><button type="submit">Download my data (JSON)</button></form>
<h2>Erase my data</h2>
<p>This removes your name, email address and signatures from every campaign, and your name from the copies we keep of letters sent to targets (a line in each copy says how many names were removed). A letter that has already reached its target is a record of what was sent and is theirs: we cannot take your name back from it. Campaign totals keep counting your signature, anonymously. We keep a one-way fingerprint of your address so we never email it again. This cannot be undone.</p>
<form method="post" action="${base}/erase"><button type="submit" class="danger">Erase my data</button></form>`,
      ),
    );
  });

  app.post('/privacy/:token/download', { schema: { hide: true, params: tokenParams } }, async (request, reply) => {
    const link = await openLink(service, request.params.token, 'privacy');
    if (!link.ok) return sendPage(reply, link.reason === 'expired' ? 410 : 404, linkProblemPage(link));
    const data = await exportPersonalData(service.db, link.context.contact.id);
    return reply
      .header('content-disposition', 'attachment; filename="my-data.json"')
      .type('application/json; charset=utf-8')
      .send(JSON.stringify(data, null, 2));
  });

  app.post('/privacy/:token/erase', { schema: { hide: true, params: tokenParams } }, async (request, reply) => {
    const link = await openLink(service, request.params.token, 'privacy');
    if (!link.ok) return sendPage(reply, link.reason === 'expired' ? 410 : 404, linkProblemPage(link));
    await eraseContact(service.db, link.context.contact.id, link.context.contact.email, letterFontDir);
    return sendPage(reply, 200, messagePage('Your data is erased', ['We hold nothing about you any more, and will not email you again.']));
  });
};
