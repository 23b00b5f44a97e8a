/** Signing out: of this browser, or of every browser the user is signed in on. */
import type { FastifyInstance } from 'fastify';
import { SIGN_IN_PATH } from './app-guard.js';
import type { AppContext } from './app-context.js';
import { clearSessionCookie } from './session-cookie.js';
import { endAllSessions, endSession } from './sessions.js';

export async function accountRoutes(app: FastifyInstance, context: AppContext): Promise<void> {
  app.post('/sign-out', { schema: { hide: true } }, async (request, reply) => {
    if (request.appSessionId) await endSession(context.db, request.appSessionId);
    clearSessionCookie(reply, context.cookies);
    return reply.redirect(`${SIGN_IN_PATH}?signed-out=1`, 303);
  });

  app.post('/sign-out-everywhere', { schema: { hide: true } }, async (request, reply) => {
    await endAllSessions(context.db, request.appUser.userId);
    clearSessionCookie(reply, context.cookies);
    return reply.redirect(`${SIGN_IN_PATH}?signed-out=everywhere`, 303);
  });
}
