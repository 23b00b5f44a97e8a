/**
 * The one place errors become HTTP responses, always as `{ error: { code, message, field? } }`.
 * 5xx details go to the log, never to the client.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import {
  AppError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  RateLimitedError,
  StateError,
  TemplateError,
  UnauthorizedError,
  ValidationError,
} from '../errors.js';

export interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

function statusOf(error: AppError): number {
  if (error instanceof ValidationError) return 400;
  if (error instanceof UnauthorizedError) return 401;
  if (error instanceof ForbiddenError) return 403;
  if (error instanceof NotFoundError) return 404;
  if (error instanceof ConflictError) return 409;
  if (error instanceof StateError || error instanceof TemplateError) return 422;
  if (error instanceof RateLimitedError) return 429;
  return 500;
}

interface ZodIssueLike {
  instancePath: string;
  message: string;
  keyword: string;
  params: { keys?: string[] };
}

/** `/letter/subject` → `letter.subject`; an unknown key is reported as the key itself. */
function fieldOf(issue: ZodIssueLike, context: string | undefined): string {
  const path = issue.instancePath.split('/').filter(Boolean);
  if (issue.keyword === 'unrecognized_keys' && issue.params.keys?.[0]) path.push(issue.params.keys[0]);
  if (path.length > 0) return path.join('.');
  return context ?? 'body';
}

function messageOf(issue: ZodIssueLike): string {
  if (issue.keyword === 'unrecognized_keys') return 'is not a known field';
  if (issue.keyword === 'invalid_type' && issue.message.endsWith('received undefined')) return 'is required';
  return issue.message;
}

/** Fastify's own client errors (bad JSON, wrong content type, body too large…) keep their status. */
const FASTIFY_CLIENT_ERRORS: Record<string, { code: string; message: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'invalid_json', message: 'The request body is not valid JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'invalid_json', message: 'The request body is empty but declared as JSON' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'unsupported_media_type', message: 'Send the body as application/json' },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'body_too_large', message: 'The request body is too large' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'invalid_content_length', message: 'Content-Length does not match the body' },
};

/** Any error as `{ error: { code, message, field? } }` with its status; 5xx details only in the log. */
export function replyWithJsonError(thrown: FastifyError | AppError, request: FastifyRequest, reply: FastifyReply) {
    const error = thrown as FastifyError;
    if (hasZodFastifySchemaValidationErrors(error)) {
      const issue = error.validation[0] as unknown as ZodIssueLike;
      const field = fieldOf(issue, error.validationContext);
      const body: ErrorBody = {
        error: { code: 'validation_failed', message: `${field} ${messageOf(issue)}`, field },
      };
      return reply.code(400).send(body);
    }
    if (thrown instanceof AppError) {
      const body: ErrorBody = { error: { code: thrown.code, message: thrown.message } };
      if (thrown.field) body.error.field = thrown.field;
      if (thrown instanceof UnauthorizedError) reply.header('www-authenticate', 'Bearer');
      if (thrown instanceof RateLimitedError) reply.header('retry-after', String(thrown.retryAfterSeconds));
      return reply.code(statusOf(thrown)).send(body);
    }
    const known = error.code ? FASTIFY_CLIENT_ERRORS[error.code] : undefined;
    if (known && error.statusCode) {
      return reply.code(error.statusCode).send({ error: known } satisfies ErrorBody);
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      // Other client errors raised by Fastify or its plugins (rate limits, malformed URLs, …).
      // A multipart file or part over its limit is as much "too large" as a JSON body over bodyLimit.
      const code = error.statusCode === 429 ? 'rate_limited' : error.statusCode === 413 ? 'body_too_large' : 'bad_request';
      return reply.code(error.statusCode).send({ error: { code, message: error.message } } satisfies ErrorBody);
    }
    request.log.error({ err: error }, 'request failed');
    return reply
      .code(500)
      .send({ error: { code: 'internal_error', message: 'Something went wrong on our side' } } satisfies ErrorBody);
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler(replyWithJsonError);

  app.setNotFoundHandler((request, reply) => {
    const body: ErrorBody = { error: { code: 'route_not_found', message: `No route for ${request.method} ${request.url.split('?')[0]}` } };
    return reply.code(404).send(body);
  });
}
