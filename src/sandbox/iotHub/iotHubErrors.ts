import { SandboxHttpError, errorCodeOf, type ErrorBodyFormatter, type ServiceErrorCodes } from '../common';

/** IoT Hub's error code names (the C# SDK's `ErrorCode`), by HTTP status, for errors thrown without one. */
const DEFAULT_CODES: ServiceErrorCodes = {
  byStatus: {
    400: 'ArgumentInvalid',
    401: 'IotHubUnauthorizedAccess',
    404: 'DeviceNotFound',
    405: 'InvalidOperation',
    409: 'DeviceAlreadyExists',
    412: 'PreconditionFailed',
    413: 'MessageTooLarge',
    429: 'ThrottlingException',
    500: 'ServerError',
    503: 'ServiceUnavailable',
    504: 'GatewayTimeout',
  },
  serverError: 'ServerError',
  clientError: 'ArgumentInvalid',
};

/**
 * IoT Hub's classic error body: `{ "Message": "ErrorCode:<code>;<text>", "ExceptionMessage": "Tracking ID:..." }`.
 * azure-iothub parses exactly this (`Http.parseErrorBody`): the code between `ErrorCode:` and the
 * first `;`, the text after it, so a 404 `DeviceNotFound` becomes its `DeviceNotFoundError`.
 */
export const formatIotHubError: ErrorBodyFormatter = (error, { requestId }) => {
  const code = errorCodeOf(error, DEFAULT_CODES);
  // The text must not hold a ';': the SDK keeps only what stands before the next one.
  const text = error.message.replace(/;/g, ',');
  return {
    Message: `ErrorCode:${code};${text}`,
    ExceptionMessage: `Tracking ID:${requestId.replace(/-/g, '')}-G:0-TimeStamp:${trackingTimestamp(new Date())}`,
  };
};

/** `MM/dd/yyyy HH:mm:ss` in UTC, as IoT Hub writes it in tracking ids. */
function trackingTimestamp(date: Date): string {
  const two = (value: number) => String(value).padStart(2, '0');
  return `${two(date.getUTCMonth() + 1)}/${two(date.getUTCDate())}/${date.getUTCFullYear()} `
    + `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}`;
}

/** 404 `DeviceNotFound`; like IoT Hub, the text is the device id. */
export function deviceNotFound(deviceId: string): SandboxHttpError {
  return new SandboxHttpError(404, deviceId, 'DeviceNotFound');
}

/** 409 `DeviceAlreadyExists`: a create (PUT without If-Match) of an id that is taken. */
export function deviceAlreadyExists(deviceId: string): SandboxHttpError {
  return new SandboxHttpError(409, `A device with ID '${deviceId}' is already registered.`, 'DeviceAlreadyExists');
}

/** 412 `PreconditionFailed`: the If-Match etag is not the current one. */
export function preconditionFailed(what: 'Device' | 'Twin'): SandboxHttpError {
  return new SandboxHttpError(412, `Precondition failed: ${what} version did not match`, 'PreconditionFailed');
}

/** 400 `ArgumentInvalid`, for a request the hub cannot accept. */
export function argumentInvalid(message: string): SandboxHttpError {
  return new SandboxHttpError(400, message, 'ArgumentInvalid');
}
