import { checkingApiVersion, type Route } from '../common';
import { iotCentralError } from './iotCentralErrors';

/** The only data-plane version this sandbox speaks. */
export const IOT_CENTRAL_API_VERSION = '2022-07-31';

/**
 * Wraps routes so each first checks `api-version`. IoT Central answers a missing or unknown
 * version with code `NotFound` and the message `"<version>" is not a valid API version.`
 * ("undefined" when absent), as reported by users of the live service (azure-sdk-for-go#23817);
 * the status it pairs with that code is the 404 of a resource that does not exist in that version.
 */
export function requiringApiVersion(routes: readonly Route[]): Route[] {
  return checkingApiVersion(routes, (version) => {
    if (version !== IOT_CENTRAL_API_VERSION) {
      throw iotCentralError(404, 'NotFound', `${JSON.stringify(version ?? 'undefined')} is not a valid API version.`);
    }
  });
}
