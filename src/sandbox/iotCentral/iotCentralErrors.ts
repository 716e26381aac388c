import { SandboxHttpError, type ErrorBodyFormatter } from '../common';

const DEFAULT_CODES: Readonly<Record<number, string>> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  413: 'PayloadTooLarge',
  429: 'TooManyRequests',
  500: 'InternalServerError',
  503: 'ServiceUnavailable',
};

/**
 * IoT Central's error shape (the spec's `Error`): `{ "error": { "code", "message", "requestId", "time" } }`,
 * the time in RFC 1123 form, and the message ending with the support sentence the service appends.
 */
export const formatIotCentralError: ErrorBodyFormatter = (error, { requestId }) => {
  const time = new Date().toUTCString();
  return {
    error: {
      code: error.code ?? DEFAULT_CODES[error.status] ?? (error.status >= 500 ? 'InternalServerError' : 'BadRequest'),
      message: `${error.message} You can contact support at https://aka.ms/iotcentral-support. ` +
        `Please include the following information. Request ID: ${requestId}, Time: ${time}.`,
      requestId,
      time,
    },
  };
};

/** An error of this service, with its code also in the `x-ms-error-code` header as the spec declares. */
export function iotCentralError(status: number, code: string, message: string): SandboxHttpError {
  return new SandboxHttpError(status, message, code, { 'x-ms-error-code': code });
}

export function notFound(what: 'user' | 'role' | 'device', id: string): SandboxHttpError {
  return iotCentralError(404, 'NotFound', `Could not find ${what} with id ${JSON.stringify(id)}.`);
}

export function badRequest(message: string): SandboxHttpError {
  return iotCentralError(400, 'BadRequest', message);
}
