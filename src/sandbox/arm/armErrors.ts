import {
  STATUS_NAMED_CODES, SandboxHttpError, errorCodeOf, type ErrorBodyFormatter, type ServiceErrorCodes,
} from '../common';

const DEFAULT_CODES: ServiceErrorCodes = {
  byStatus: { ...STATUS_NAMED_CODES, 401: 'AuthenticationFailed', 404: 'NotFound', 429: 'TooManyRequests' },
  serverError: 'InternalServerError',
  clientError: 'BadRequest',
};

/**
 * Azure Resource Manager's error shape (common-types v2 `ErrorResponse`):
 * `{ "error": { "code", "message", "target", "details", "additionalInfo" } }`.
 */
export const formatArmError: ErrorBodyFormatter = (error) => ({
  error: { code: errorCodeOf(error, DEFAULT_CODES), message: error.message, target: null, details: [], additionalInfo: [] },
});

/** An ARM error with its code. */
export function armError(status: number, code: string, message: string): SandboxHttpError {
  return new SandboxHttpError(status, message, code);
}

export function badRequest(message: string, code = 'BadRequest'): SandboxHttpError {
  return armError(400, code, message);
}
