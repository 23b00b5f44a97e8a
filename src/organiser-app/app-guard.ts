/**
 * What stands in front of every /app route: the session (no session, no page: a GET goes to the
 * sign-in page, anything else is refused) and the CSRF check on every request that can change
 * something (403, before the route runs). Routes marked `config: { signedOut: true }` (the sign-in
 * pages) are open, their forms' tokens bound to the browser's pre-session cookie instead.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../db/client.js';
import { AppError } from '../errors.js';
import { CSRF_FIELD } from '../web/form-fields.js';
import type { AppUser } from './app-user.js';
import { BROWSER_COOKIE, SESSION_COOKIE, readCookie, setBrowserCookie, type CookiePolicy } from './session-cookie.js';
import { csrfTokenFor, csrfTokenMatches, looksLikeSecretToken, newSecretToken } from './session-tokens.js';
import { resolveSession, type SessionPolicy } from './sessions.js';

export const SIGN_IN_PATH = '/app/sign-in';
/** Where a signed-in organiser lands: the campaigns list. */
export const APP_HOME = '/app/campaigns';

/** A state-changing request without this page's CSRF token: refused with 403, nothing done. */
export class CsrfTokenError extends AppError {
  readonly code = 'csrf_invalid';
}

/** A request that needs a session, made without a live one (never signed in, expired, signed out). */
export class SignedOutError extends AppError {
  readonly code = 'signed_out';
}

export interface GuardOptions {
  db: Database;
  secret: string;
  sessions: SessionPolicy;
  cookies: CookiePolicy;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function guardOrganiserApp(app: FastifyInstance, options: GuardOptions): void {
  app.decorateRequest('appUser', null as unknown as AppUser);
  app.decorateRequest('appSessionId', undefined);
  app.decorateRequest('csrfToken', '');

  app.addHook('onRequest', async (request, reply) => {
    const session = await resolveSession(options.db, readCookie(request, SESSION_COOKIE), options.sessions);
    if (session) {
      request.appUser = session.user;
      request.appSessionId = session.sessionId;
    }
    if (request.routeOptions.config.signedOut) {
      request.csrfToken = csrfTokenFor(options.secret, { browser: browserValue(request, reply, options.cookies) });
      return;
    }
    if (!session) {
      if (SAFE_METHODS.has(request.method)) return reply.redirect(SIGN_IN_PATH, 303);
      throw new SignedOutError('You are not signed in, or your session has ended. Sign in again.');
    }
    request.csrfToken = csrfTokenFor(options.secret, { session: session.sessionId });
  });

  // After the body is parsed, before validation and the handler: a form's token travels in its body.
  app.addHook('preValidation', async (request) => {
    if (SAFE_METHODS.has(request.method)) return;
    const body = isRecord(request.body) ? request.body : undefined;
    const given = request.headers['x-csrf-token'] ?? body?.[CSRF_FIELD];
    if (!csrfTokenMatches(request.csrfToken, given)) {
      throw new CsrfTokenError('This form has expired or did not come from this site.');
    }
    if (body) delete body[CSRF_FIELD];
  });
}

function browserValue(request: FastifyRequest, reply: FastifyReply, cookies: CookiePolicy): string {
  const existing = readCookie(request, BROWSER_COOKIE);
  if (looksLikeSecretToken(existing)) return existing;
  const value = newSecretToken();
  setBrowserCookie(reply, value, cookies);
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
