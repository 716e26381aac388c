import {
  STATUS_NAMED_CODES, errorCodeOf, errorWithCodeHeader, type ErrorBodyFormatter, type SandboxHttpError, type ServiceErrorCodes,
} from '../common';

const DEFAULT_CODES: ServiceErrorCodes = {
  byStatus: { ...STATUS_NAMED_CODES, 409: 'Conflict', 429: 'TooManyRequests' },
  serverError: 'InternalServerError',
  clientError: 'BadRequest',
};

/**
 * IoT Central's error shape (the spec's `Error`): `{ "error": { "code", "message", "requestId", "time" } }`,
 * the time in RFC 1123 form, and the message ending with the support sentence the service appends.
 */
export const formatIotCentralError: ErrorBodyFormatter = (error, { requestId }) => {
  const time = new Date().toUTCString();
  return {
    error: {
      code: errorCodeOf(error, DEFAULT_CODES),
      message: `${error.message} You can contact support at https://aka.ms/iotcentral-support. ` +
        `Please include the following information. Request ID: ${requestId}, Time: ${time}.`,
      requestId,
      time,
    },
  };
};

/** An error of this service, with its code also in the `x-ms-error-code` header as the spec declares. */
export function iotCentralError(status: number, code: string, message: string): SandboxHttpError {
  return errorWithCodeHeader(status, code, message);
}

export function notFound(what: 'user' | 'role' | 'device', id: string): SandboxHttpError {
  return iotCentralError(404, 'NotFound', `Could not find ${what} with id ${JSON.stringify(id)}.`);
}

export function badRequest(message: string): SandboxHttpError {
  return iotCentralError(400, 'BadRequest', message);
}
