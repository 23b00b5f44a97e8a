/**
 * Passwordless sign-in. GET /app/sign-in asks for an address; the link we mail is opened with a GET
 * that only shows a button (mail scanners open links), and its POST signs in.
 */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from './app-context.js';
import { APP_HOME } from './app-guard.js';
import { signInFormPage } from './sign-in-pages.js';
import { sendPage } from '../web/page-reply.js';

const SIGNED_OUT_NOTICES: Record<string, string> = {
  '1': 'You have signed out.',
  everywhere: 'You have signed out on every device.',
};

export async function signInRoutes(app: FastifyInstance, _context: AppContext): Promise<void> {
  app.get<{ Querystring: { 'signed-out'?: string } }>('/sign-in', { schema: { hide: true }, config: { signedOut: true } }, async (request, reply) => {
    if (request.appSessionId) return reply.redirect(APP_HOME, 303);
    const notice = SIGNED_OUT_NOTICES[request.query['signed-out'] ?? ''];
    return sendPage(reply, 200, signInFormPage(request.csrfToken, notice ? { notice } : {}));
  });
}
