import { SandboxHttpError, type ErrorBodyFormatter } from '../common';

/** Codes for errors raised without one (the shared server's 401/404/405/413, injected faults). */
const DEFAULT_CODES: Readonly<Record<number, string>> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  412: 'PreconditionFailed',
  413: 'PayloadTooLarge',
  // The only 429 code the spec names (Query_QueryTwins); twin operations throttle the same way.
  429: 'QuotaReachedError',
  500: 'InternalServerError',
  503: 'ServiceUnavailable',
};

/** The spec's ErrorResponse: `{ "error": { "code", "message" } }`. */
export const formatDigitalTwinsError: ErrorBodyFormatter = (error) => ({
  error: {
    code: error.code ?? DEFAULT_CODES[error.status] ?? (error.status >= 500 ? 'InternalServerError' : 'BadRequest'),
    message: error.message,
  },
});

/** An error with the service's code, also sent in the `x-ms-error-code` header as the spec declares. */
export function digitalTwinsError(status: number, code: string, message: string): SandboxHttpError {
  return new SandboxHttpError(status, message, code, { 'x-ms-error-code': code });
}

export function twinNotFound(id: string): SandboxHttpError {
  return digitalTwinsError(404, 'DigitalTwinNotFound',
    `There is no digital twin instance that exists with the ID ${id}. Please verify that the twin id is valid and ensure that the twin is not deleted.`);
}

export function relationshipNotFound(id: string): SandboxHttpError {
  return digitalTwinsError(404, 'RelationshipNotFound', `Relationship not found with ID ${id}.`);
}

export function preconditionFailed(): SandboxHttpError {
  return digitalTwinsError(412, 'PreconditionFailed', 'The precondition check (If-Match or If-None-Match) failed.');
}

export function sqlQueryError(message: string): SandboxHttpError {
  return digitalTwinsError(400, 'SqlQueryError', message);
}
