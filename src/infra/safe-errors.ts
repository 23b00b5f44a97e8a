/**
 * Errors as they may be logged or kept in Redis: a failed query's parameters never leave the process.
 * drizzle's DrizzleQueryError writes every parameter into its message (and keeps them in `params`);
 * one inbound message with 17,000 attachments made a 6 MB log line on every attempt, carrying the
 * mail's content, addresses included, into the logs and into BullMQ's failed-job record.
 */
import { pino, type SerializerFn } from 'pino';

const MAX_QUERY_CHARS = 300;

interface QueryError extends Error {
  query: string;
  params: unknown[];
}

function isQueryError(error: Error): error is QueryError {
  return 'query' in error && 'params' in error && typeof (error as QueryError).query === 'string';
}

/** Only the stack frames: the first line of `stack` repeats the message, parameters included. */
function framesOf(error: Error): string {
  return (error.stack ?? '')
    .split('\n')
    .filter((line) => line.startsWith('    at '))
    .join('\n');
}

/**
 * The same error with any query parameters removed, down its chain of causes. An error that carries
 * none is returned as it is (its class kept, so BullMQ still sees an UnrecoverableError as one).
 */
export function withoutQueryParams(error: unknown, depth = 0): unknown {
  if (!(error instanceof Error) || depth > 8) return error;
  const cause = error.cause === undefined ? undefined : withoutQueryParams(error.cause, depth + 1);
  if (isQueryError(error)) {
    const query = error.query.length > MAX_QUERY_CHARS ? `${error.query.slice(0, MAX_QUERY_CHARS)}… (${error.query.length} characters)` : error.query;
    const reason = cause instanceof Error ? `: ${cause.message}` : '';
    const safe = new Error(`Failed query (${error.params.length} parameters, not shown): ${query}${reason}`, cause === undefined ? {} : { cause });
    safe.name = 'DrizzleQueryError';
    safe.stack = `${safe.name}: ${safe.message}\n${framesOf(error)}`;
    return safe;
  }
  if (cause === error.cause) return error;
  const copy = Object.assign(Object.create(Object.getPrototypeOf(error) as object) as Error, error);
  Object.defineProperties(copy, {
    message: { value: error.message, enumerable: false, writable: true, configurable: true },
    stack: { value: error.stack, enumerable: false, writable: true, configurable: true },
    cause: { value: cause, enumerable: false, writable: true, configurable: true },
  });
  return copy;
}

/** pino's error serializer, after the parameters are gone: for every logger's `serializers.err`. */
export const serializeErrorSafely: SerializerFn = (error: unknown) => pino.stdSerializers.err(withoutQueryParams(error) as Error);

/** A short, parameter-free account of a failure, fit to show an organiser. */
export function describeFailure(error: unknown): string {
  const safe = withoutQueryParams(error);
  const message = safe instanceof Error ? safe.message : String(safe);
  return message.length > 500 ? `${message.slice(0, 500)}…` : message;
}
