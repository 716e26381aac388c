import { checkingApiVersion, type Route } from '../common';
import { badRequest } from './armErrors';

/** The Microsoft.Authorization version this sandbox speaks (role assignments and role definitions). */
export const AUTHORIZATION_API_VERSION = '2022-04-01';

/** Wraps routes so each first checks `api-version`, with ARM's codes for a missing or unsupported one. */
export function requiringApiVersion(routes: readonly Route[]): Route[] {
  return checkingApiVersion(routes, (version) => {
    if (version === null) {
      throw badRequest("The api-version query parameter (?api-version=) is required for all requests.", 'MissingApiVersionParameter');
    }
    if (version !== AUTHORIZATION_API_VERSION) {
      throw badRequest(`The api-version '${version}' is invalid. The supported versions are '${AUTHORIZATION_API_VERSION}'.`, 'InvalidApiVersionParameter');
    }
  });
}
