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
