import { SandboxHttpError } from './sandboxHttpError';
import type { SandboxErrorDetails } from './sandboxService';

/** A service's error codes for errors thrown without one (the shared server's 401/404/405/413, injected faults). */
export interface ServiceErrorCodes {
  readonly byStatus: Readonly<Record<number, string>>;
  /** For a 5xx status not in `byStatus`. */
  readonly serverError: string;
  /** For a 4xx status not in `byStatus`. */
  readonly clientError: string;
}

/** The codes named after the HTTP status that Digital Twins and IoT Central share. */
export const STATUS_NAMED_CODES: Readonly<Record<number, string>> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  413: 'PayloadTooLarge',
  500: 'InternalServerError',
  503: 'ServiceUnavailable',
};

/** The code of an error answer: the thrower's, else the service's code for its status. */
export function errorCodeOf(error: SandboxErrorDetails, codes: ServiceErrorCodes): string {
  return error.code ?? codes.byStatus[error.status] ?? (error.status >= 500 ? codes.serverError : codes.clientError);
}

/** An error whose code is also sent in the `x-ms-error-code` header, as several Azure specs declare. */
export function errorWithCodeHeader(status: number, code: string, message: string): SandboxHttpError {
  return new SandboxHttpError(status, message, code, { 'x-ms-error-code': code });
}
