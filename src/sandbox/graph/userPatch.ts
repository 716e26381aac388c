import type { GraphUser } from './graphState';
import { badRequest } from './graphErrors';

/** The user properties `PATCH /users/{id}` may change. */
export type WritableUserProperties = Partial<Pick<GraphUser,
  'displayName' | 'givenName' | 'surname' | 'jobTitle' | 'department' | 'officeLocation' |
  'mobilePhone' | 'businessPhones' | 'accountEnabled'>>;

const WRITABLE = new Set([
  'displayName', 'givenName', 'surname', 'jobTitle', 'department', 'officeLocation',
  'mobilePhone', 'businessPhones', 'accountEnabled',
]);
const NULLABLE_STRINGS = new Set(['givenName', 'surname', 'jobTitle', 'department', 'officeLocation', 'mobilePhone']);

/**
 * Validates a PATCH body against the writable user properties.
 * @throws 400 `Request_BadRequest` for anything else, or a value of the wrong type.
 */
export function parseUserPatch(body: unknown): WritableUserProperties {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('The request body must be a JSON object.');
  }
  for (const [name, value] of Object.entries(body)) {
    if (!WRITABLE.has(name)) throw badRequest(`Invalid property '${name}'.`);
    if (!isValidValue(name, value)) throw badRequest(`Invalid value for property '${name}'.`);
  }
  return body as WritableUserProperties;
}

function isValidValue(name: string, value: unknown): boolean {
  if (NULLABLE_STRINGS.has(name)) return value === null || typeof value === 'string';
  switch (name) {
    case 'displayName':
      return typeof value === 'string' && value.trim() !== '';
    case 'accountEnabled':
      return typeof value === 'boolean';
    case 'businessPhones':
      // Graph accepts at most one business phone number.
      return Array.isArray(value) && value.length <= 1 && value.every((phone) => typeof phone === 'string');
    default:
      return false;
  }
}
