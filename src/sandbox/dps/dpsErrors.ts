import { errorWithCodeHeader, type ErrorBodyFormatter, type SandboxHttpError } from '../common';

/**
 * DPS error codes are the HTTP status followed by three digits. 404201 (an individual
 * enrollment that does not exist) is the one seen in public reports; the others follow the
 * numbering DPS shares with IoT Hub (400004 ArgumentInvalid, 401002 unauthorized, 412002
 * PreconditionFailed, 429001 throttled, 500001 server error). Only the status is contractual.
 */
export const DPS_ERROR_CODES = {
  argumentInvalid: 400004,
  unauthorized: 401002,
  enrollmentNotFound: 404201,
  registrationNotFound: 404202,
  enrollmentGroupNotFound: 404203,
  preconditionFailed: 412002,
} as const;

const DEFAULT_CODES: Readonly<Record<number, number>> = {
  400: DPS_ERROR_CODES.argumentInvalid,
  401: DPS_ERROR_CODES.unauthorized,
  412: DPS_ERROR_CODES.preconditionFailed,
  429: 429001,
  500: 500001,
  503: 503001,
};

/**
 * The service's error shape (`ProvisioningServiceErrorDetails`):
 * `{ "errorCode": 404201, "trackingId", "message", "timestampUtc" }`.
 */
export const formatDpsError: ErrorBodyFormatter = (error, { requestId }) => ({
  errorCode: errorCodeOf(error.status, error.code),
  trackingId: requestId,
  message: error.message,
  timestampUtc: new Date().toISOString(),
});

function errorCodeOf(status: number, code: string | undefined): number {
  const numeric = Number(code);
  if (code !== undefined && Number.isInteger(numeric)) return numeric;
  return DEFAULT_CODES[status] ?? status * 1000;
}

function dpsError(status: number, errorCode: number, message: string): SandboxHttpError {
  return errorWithCodeHeader(status, String(errorCode), message);
}

/** 400 for a request the service refuses as malformed. */
export function dpsBadRequest(message: string): SandboxHttpError {
  return dpsError(400, DPS_ERROR_CODES.argumentInvalid, message);
}

export function enrollmentNotFound(): SandboxHttpError {
  return dpsError(404, DPS_ERROR_CODES.enrollmentNotFound, 'The individual enrollment does not exist.');
}

export function registrationNotFound(): SandboxHttpError {
  return dpsError(404, DPS_ERROR_CODES.registrationNotFound, 'The device registration does not exist.');
}

export function enrollmentGroupNotFound(): SandboxHttpError {
  return dpsError(404, DPS_ERROR_CODES.enrollmentGroupNotFound, 'The enrollment group does not exist.');
}

/** 412 when `If-Match` names another version than the current one. */
export function preconditionFailed(): SandboxHttpError {
  return dpsError(412, DPS_ERROR_CODES.preconditionFailed, 'The ETag in If-Match does not match the current version of the resource.');
}
