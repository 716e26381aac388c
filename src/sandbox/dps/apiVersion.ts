import { checkingApiVersion, type Route } from '../common';
import { dpsBadRequest } from './dpsErrors';

/** The api-version the sandbox speaks, as the service API spec of 2021-10-01. */
export const DPS_API_VERSION = '2021-10-01';

/**
 * Wraps routes so each refuses a request without `api-version=2021-10-01`, as the service
 * refuses a missing or unsupported api-version with a 400.
 */
export function requiringApiVersion(routes: readonly Route[]): Route[] {
  return checkingApiVersion(routes, (version) => {
    if (version === null) throw dpsBadRequest("The request is missing the 'api-version' query parameter.");
    if (version !== DPS_API_VERSION) throw dpsBadRequest(`The api-version '${version}' is not supported; use ${DPS_API_VERSION}.`);
  });
}
