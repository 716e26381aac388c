import { SandboxHttpError, errorCodeOf, type ErrorBodyFormatter, type ServiceErrorCodes } from '../common';

const DEFAULT_CODES: ServiceErrorCodes = {
  byStatus: {
    400: 'Request_BadRequest',
    401: 'InvalidAuthenticationToken',
    403: 'Authorization_RequestDenied',
    404: 'Request_ResourceNotFound',
    429: 'TooManyRequests',
    500: 'generalException',
    503: 'serviceNotAvailable',
    504: 'gatewayTimeout',
  },
  serverError: 'generalException',
  clientError: 'Request_BadRequest',
};

/**
 * Graph's error shape:
 * `{ "error": { "code", "message", "innerError": { "date", "request-id", "client-request-id" } } }`.
 */
export const formatGraphError: ErrorBodyFormatter = (error, { requestId, headers }) => {
  const clientRequestId = headers['client-request-id'];
  return {
    error: {
      code: errorCodeOf(error, DEFAULT_CODES),
      message: error.message,
      innerError: {
        date: new Date().toISOString().slice(0, 19),
        'request-id': requestId,
        'client-request-id': typeof clientRequestId === 'string' ? clientRequestId : requestId,
      },
    },
  };
};

/** 404 `Request_ResourceNotFound`, worded as Graph words it. */
export function resourceNotFound(id: string): SandboxHttpError {
  return new SandboxHttpError(
    404,
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
    'Request_ResourceNotFound',
  );
}

/** 400 `Request_BadRequest`. */
export function badRequest(message: string): SandboxHttpError {
  return new SandboxHttpError(400, message, 'Request_BadRequest');
}
