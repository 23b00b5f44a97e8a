/**
 * Business errors with stable codes. Services throw these; only src/http/error-handler.ts knows
 * which HTTP status each one becomes, so the rules stay free of HTTP.
 */
export abstract class AppError extends Error {
  abstract readonly code: string;
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Input that is well-formed but breaks a rule only the service can check. */
export class ValidationError extends AppError {
  readonly code = 'validation_failed';
}

/** Missing, unknown or revoked credentials. */
export class UnauthorizedError extends AppError {
  readonly code = 'unauthorized';
}

/** Signed in, but the user's role does not allow this (an editor publishing, managing users). */
export class ForbiddenError extends AppError {
  readonly code = 'forbidden';
}

/** Not found, or not yours: the two are deliberately indistinguishable. */
export class NotFoundError extends AppError {
  readonly code = 'not_found';
}

export class ConflictError extends AppError {
  constructor(
    readonly code: string,
    message: string,
    field?: string,
  ) {
    super(message, field);
  }
}

/** An action the resource's current state does not allow (publish a closed campaign, …). */
export class StateError extends AppError {
  constructor(
    readonly code: string,
    message: string,
    field?: string,
  ) {
    super(message, field);
  }
}

/** A letter template that cannot be rendered: bad syntax, or a merge field or filter we do not have. */
export class TemplateError extends AppError {
  readonly code = 'invalid_template';
}

/** Too many attempts; `retryAfterSeconds` becomes the Retry-After header. */
export class RateLimitedError extends AppError {
  readonly code = 'rate_limited';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}
