import type { GraphUser } from './graphState';
import { badRequest } from './graphErrors';

/** The user properties `PATCH /users/{id}` may change in the sandbox. */
export type WritableUserProperties = Partial<Pick<GraphUser,
  'displayName' | 'givenName' | 'surname' | 'jobTitle' | 'department' | 'officeLocation' | 'companyName' |
  'employeeId' | 'employeeType' | 'mobilePhone' | 'businessPhones' | 'streetAddress' | 'city' | 'state' |
  'postalCode' | 'country' | 'usageLocation' | 'preferredLanguage' | 'mail' | 'userPrincipalName' | 'accountEnabled'>>;

const NULLABLE_STRINGS = new Set([
  'givenName', 'surname', 'jobTitle', 'department', 'officeLocation', 'companyName', 'employeeId', 'employeeType',
  'mobilePhone', 'streetAddress', 'city', 'state', 'postalCode', 'country', 'preferredLanguage', 'mail',
]);
const WRITABLE = new Set([...NULLABLE_STRINGS, 'displayName', 'businessPhones', 'usageLocation', 'userPrincipalName', 'accountEnabled']);

/**
 * Validates a PATCH body against the writable user properties; a new userPrincipalName must use
 * one of `verifiedDomains`, as Graph requires.
 * @throws 400 `Request_BadRequest` for anything else, or a value of the wrong type.
 */
export function parseUserPatch(body: unknown, verifiedDomains: ReadonlySet<string>): WritableUserProperties {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('The request body must be a JSON object.');
  }
  for (const [name, value] of Object.entries(body)) {
    if (!WRITABLE.has(name)) throw badRequest(`Invalid property '${name}'.`);
    if (!isValidValue(name, value)) throw badRequest(`Invalid value for property '${name}'.`);
    if (name === 'userPrincipalName' && !verifiedDomains.has(domainOf(value as string))) {
      throw badRequest(`The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization.`);
    }
  }
  return body as WritableUserProperties;
}

/** The part after the last `@`, lower-cased. */
export function domainOf(userPrincipalName: string): string {
  return userPrincipalName.slice(userPrincipalName.lastIndexOf('@') + 1).toLowerCase();
}

function isValidValue(name: string, value: unknown): boolean {
  if (NULLABLE_STRINGS.has(name)) return value === null || typeof value === 'string';
  switch (name) {
    case 'displayName':
      return typeof value === 'string' && value.trim() !== '';
    case 'userPrincipalName':
      return typeof value === 'string' && /^[^@\s]+@[^@\s]+$/.test(value);
    case 'usageLocation':
      return value === null || (typeof value === 'string' && /^[A-Z]{2}$/.test(value));
    case 'accountEnabled':
      return typeof value === 'boolean';
    case 'businessPhones':
      // Graph accepts at most one business phone number.
      return Array.isArray(value) && value.length <= 1 && value.every((phone) => typeof phone === 'string');
    default:
      return false;
  }
}
