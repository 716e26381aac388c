import {
  STATUS_NAMED_CODES, errorCodeOf, errorWithCodeHeader, type ErrorBodyFormatter, type SandboxHttpError, type ServiceErrorCodes,
} from '../common';

/** Codes for errors raised without one (the shared server's 401/404/405/413, injected faults). */
const DEFAULT_CODES: ServiceErrorCodes = {
  byStatus: {
    ...STATUS_NAMED_CODES,
    412: 'PreconditionFailed',
    // The only 429 code the spec names (Query_QueryTwins); twin operations throttle the same way.
    429: 'QuotaReachedError',
  },
  serverError: 'InternalServerError',
  clientError: 'BadRequest',
};

/** The spec's ErrorResponse: `{ "error": { "code", "message" } }`. */
export const formatDigitalTwinsError: ErrorBodyFormatter = (error) => ({
  error: {
    code: errorCodeOf(error, DEFAULT_CODES),
    message: error.message,
  },
});

/** An error with the service's code, also sent in the `x-ms-error-code` header as the spec declares. */
export function digitalTwinsError(status: number, code: string, message: string): SandboxHttpError {
  return errorWithCodeHeader(status, code, message);
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
