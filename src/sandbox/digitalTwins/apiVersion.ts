import { checkingApiVersion, type Route } from '../common';
import { digitalTwinsError } from './digitalTwinsErrors';

/**
 * The data-plane versions this sandbox speaks: 2022-05-31 (what `@azure/digital-twins-core`
 * 1.x sends) and 2023-10-31 (the spec it is checked against); the routes it serves behave the
 * same in both.
 */
export const DIGITAL_TWINS_API_VERSIONS: readonly string[] = ['2022-05-31', '2023-10-31'];

/**
 * Wraps routes so each first checks `api-version`: missing or unknown is a 400 `InvalidArgument`,
 * the code the spec gives for invalid request arguments.
 */
export function requiringApiVersion(routes: readonly Route[]): Route[] {
  return checkingApiVersion(routes, (version) => {
    if (version === null || version === '') {
      throw digitalTwinsError(400, 'InvalidArgument', 'The api-version query parameter is required.');
    }
    if (!DIGITAL_TWINS_API_VERSIONS.includes(version)) {
      throw digitalTwinsError(400, 'InvalidArgument',
        `The api-version '${version}' is not supported. Supported versions: ${DIGITAL_TWINS_API_VERSIONS.join(', ')}.`);
    }
  });
}
