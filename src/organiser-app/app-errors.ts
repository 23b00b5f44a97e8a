/**
 * Whatever goes wrong under /app, the organiser gets a page in the app's layout saying what to do,
 * with the status that says what happened; 5xx details only in the log.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ConflictError, ForbiddenError, NotFoundError, RateLimitedError, StateError } from '../errors.js';
import { appMessagePage } from '../web/app-page.js';
import { sendPage } from '../web/page-reply.js';
import { CsrfTokenError, SIGN_IN_PATH, SignedOutError } from './app-guard.js';
import { html } from '../web/html.js';

/** The page chrome for this request: with navigation only when someone is signed in. */
function pageFor(request: FastifyRequest, title: string, paragraphs: Parameters<typeof appMessagePage>[0]['paragraphs']): string {
  const user = request.appSessionId ? request.appUser : undefined;
  return appMessagePage({ title, user, csrfToken: request.csrfToken, paragraphs });
}

export function notFoundAppPage(request: FastifyRequest): string {
  return pageFor(request, 'Page not found', ['There is nothing at this address. Check the link you followed.']);
}

export function renderAppErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const send = (status: number, title: string, paragraphs: Array<string | ReturnType<typeof html>>) =>
    void sendPage(reply, status, pageFor(request, title, paragraphs));
  if (error instanceof NotFoundError) return void sendPage(reply, 404, notFoundAppPage(request));
  if (error instanceof ForbiddenError) return send(403, 'You cannot do this', [error.message, 'Nothing was changed.']);
  if (error instanceof StateError || error instanceof ConflictError) {
    return send(409, 'That cannot be done', [error.message, 'Nothing was changed.']);
  }
  if (error instanceof CsrfTokenError) {
    return send(403, 'This form has expired', ['Nothing was changed. Go back, reload the page and try again.']);
  }
  if (error instanceof SignedOutError) {
    return send(401, 'Please sign in again', ['Your session has ended, so nothing was changed.', html`<a href="${SIGN_IN_PATH}">Sign in</a>`]);
  }
  if (error instanceof RateLimitedError) {
    reply.header('retry-after', String(error.retryAfterSeconds));
    return send(429, 'Too many attempts', ['Please wait a few minutes, then try again.']);
  }
  if (hasZodFastifySchemaValidationErrors(error) || error instanceof z.ZodError) {
    return send(400, 'We could not read that', ['Nothing was changed. Go back to the form and try again.']);
  }
  const status = error.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    return send(status, 'We could not read that', ['Nothing was changed. Go back to the form and try again.']);
  }
  request.log.error({ err: error }, 'organiser app request failed');
  send(500, 'Sorry, something went wrong', ['Please try again in a moment.']);
}
