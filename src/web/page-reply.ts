/** Replies for people, not programs: an HTML page for every outcome, errors included. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { NotFoundError, RateLimitedError } from '../errors.js';
import { messagePage } from './pages.js';

export function sendPage(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(body);
}

export const notFoundPage = () =>
  messagePage('Page not found', ['There is no campaign at this address. Check the link you followed.']);

/** A route error handler for form posts: whatever goes wrong, the person gets a page, never JSON. */
export function renderErrorsAsPages(action: string) {
  return (error: Error, request: FastifyRequest, reply: FastifyReply): void => {
    if (error instanceof NotFoundError) {
      void sendPage(reply, 404, notFoundPage());
      return;
    }
    if (error instanceof RateLimitedError) {
      reply.header('retry-after', String(error.retryAfterSeconds));
      void sendPage(reply, 429, messagePage('Too many attempts', ['Please wait a few minutes, then try again.']));
      return;
    }
    // A request Fastify itself refused (unreadable body, wrong content type, too large): the
    // sender's problem, said plainly, with its status.
    const status = (error as { statusCode?: number }).statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      void sendPage(reply, status, messagePage('We could not read that', ['Please go back to the form and try again.']));
      return;
    }
    request.log.error({ err: error }, `${action} failed`);
    void sendPage(reply, 500, messagePage('Sorry, something went wrong', ['Please try again in a moment.']));
  };
}
