/**
 * Passwordless sign-in. GET /app/sign-in asks for an address; POST always answers "check your
 * inbox", whether or not the address can sign in, and mails a link only when it can. The link's GET
 * only shows a button (mail scanners open links); its POST uses the link up and signs in.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { RateLimitedError } from '../errors.js';
import { hitFixedWindows } from '../infra/fixed-window-limit.js';
import { emailHash } from '../supporters/email-address.js';
import { sendPage } from '../web/page-reply.js';
import type { AppContext } from './app-context.js';
import { APP_HOME } from './app-guard.js';
import { setSessionCookie } from './session-cookie.js';
import { endSession, startSession } from './sessions.js';
import { consumeSignInToken, isUsableSignInToken, issueSignInLink } from './sign-in-links.js';
import { checkInboxPage, linkNotValidPage, signInButtonPage, signInFormPage } from './sign-in-pages.js';
import { findUserByEmail, userEmailSchema } from './users.js';

const SIGNED_OUT_NOTICES: Record<string, string> = {
  '1': 'You have signed out.',
  everywhere: 'You have signed out on every device.',
};

const signInForm = z.object({ email: z.unknown().optional() });
const tokenParams = z.object({ token: z.string().max(200) });

const HOUR = 60 * 60;

export async function signInRoutes(app: FastifyInstance, context: AppContext): Promise<void> {
  const { db, redis, config } = context;
  const signedOut = { schema: { hide: true }, config: { signedOut: true } };

  /** Counts this request against the per-address and per-IP windows; over either, 429. */
  async function limitSignIns(ip: string, email: string): Promise<void> {
    const results = await hitFixedWindows(redis, [
      { key: `${config.REDIS_PREFIX}:ratelimit:sign-in:ip:${ip}`, limit: config.SIGN_IN_RATE_LIMIT_PER_HOUR, windowSeconds: HOUR },
      {
        key: `${config.REDIS_PREFIX}:ratelimit:sign-in:email:${emailHash(email).toString('hex')}`,
        limit: config.SIGN_IN_EMAIL_RATE_LIMIT_PER_HOUR,
        windowSeconds: HOUR,
      },
    ]);
    const refused = results.find((result) => !result.allowed);
    if (refused) throw new RateLimitedError('Too many sign-in links asked for; try again later', refused.retryAfterSeconds);
  }

  app.get<{ Querystring: { 'signed-out'?: string } }>('/sign-in', signedOut, async (request, reply) => {
    if (request.appSessionId) return reply.redirect(APP_HOME, 303);
    const notice = SIGNED_OUT_NOTICES[request.query['signed-out'] ?? ''];
    return sendPage(reply, 200, signInFormPage(request.csrfToken, notice ? { notice } : {}));
  });

  app.post('/sign-in', signedOut, async (request, reply) => {
    const { email: given } = signInForm.parse(request.body ?? {});
    const email = userEmailSchema.safeParse(given ?? '');
    if (!email.success) {
      const value = typeof given === 'string' ? given : '';
      return sendPage(reply, 400, signInFormPage(request.csrfToken, { email: value, error: email.error.issues[0]!.message }));
    }
    await limitSignIns(request.ip, email.data);
    const user = await findUserByEmail(db, email.data);
    if (user) context.queueMail([await issueSignInLink(db, config.SECRET_KEY, user.id)]);
    return sendPage(reply, 200, checkInboxPage(request.csrfToken));
  });

  app.get('/sign-in/:token', signedOut, async (request, reply) => {
    const { token } = tokenParams.parse(request.params);
    if (!(await isUsableSignInToken(db, token))) return sendPage(reply, 404, linkNotValidPage(request.csrfToken));
    return sendPage(reply, 200, signInButtonPage(request.csrfToken, `/app/sign-in/${token}`));
  });

  app.post('/sign-in/:token', signedOut, async (request, reply) => {
    const { token } = tokenParams.parse(request.params);
    const userId = await consumeSignInToken(db, token);
    if (!userId) return sendPage(reply, 404, linkNotValidPage(request.csrfToken));
    // A fresh session for the new sign-in; whoever was signed in on this browser is signed out.
    if (request.appSessionId) await endSession(db, request.appSessionId);
    const session = await startSession(db, userId, context.sessions);
    setSessionCookie(reply, session.token, context.cookies);
    return reply.redirect(APP_HOME, 303);
  });
}
