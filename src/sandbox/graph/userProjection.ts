import type { GraphUser } from './graphState';
import { badRequest } from './graphErrors';

type UserProperty = keyof GraphUser;

/** The properties Graph v1.0 returns for a user when no `$select` is given, in Graph's order. */
export const DEFAULT_USER_PROPERTIES: readonly UserProperty[] = [
  'businessPhones', 'displayName', 'givenName', 'jobTitle', 'mail', 'mobilePhone',
  'officeLocation', 'preferredLanguage', 'surname', 'userPrincipalName', 'id',
];

const SELECTABLE_BY_LOWER_NAME = new Map<string, UserProperty>(
  ([
    ...DEFAULT_USER_PROPERTIES, 'accountEnabled', 'department', 'deletedDateTime', 'employeeId',
    'signInSessionsValidFromDateTime',
    'userType', 'externalUserState', 'creationType', 'companyName', 'employeeType', 'streetAddress', 'city',
    'state', 'postalCode', 'country', 'usageLocation', 'signInActivity', 'assignedLicenses', 'assignedPlans',
  ] as const).map((name) => [name.toLowerCase(), name]),
);

/**
 * Reads `$select` as a list of user properties (Graph matches their names case-insensitively).
 * @returns undefined when there is no `$select`.
 * @throws 400 for an empty list or an unknown property.
 */
export function parseUserSelect(query: URLSearchParams): UserProperty[] | undefined {
  const raw = query.get('$select');
  if (raw === null) return undefined;
  const names = raw.split(',').map((name) => name.trim());
  return names.map((name) => {
    const property = SELECTABLE_BY_LOWER_NAME.get(name.toLowerCase());
    if (!property) throw badRequest(`Could not find a property named '${name}' on type 'microsoft.graph.user'.`);
    return property;
  });
}

/** How a user is rendered: which properties, and an `@odata.type` where Graph returns directoryObjects. */
export interface UserProjection {
  readonly select: readonly UserProperty[] | undefined;
  readonly defaults?: readonly UserProperty[];
  readonly odataType?: boolean;
}

/** Renders a user with the selected properties, or the default set. */
export function projectUser(user: GraphUser, projection: UserProjection): Record<string, unknown> {
  const properties = projection.select ?? projection.defaults ?? DEFAULT_USER_PROPERTIES;
  const rendered: Record<string, unknown> = projection.odataType ? { '@odata.type': '#microsoft.graph.user' } : {};
  for (const property of properties) rendered[property] = user[property] ?? null;
  return rendered;
}

/** The `@odata.context` of a response, with Graph's `(prop,...)` suffix when `$select` was given. */
export function odataContext(baseUrl: string, entitySet: string, select: readonly string[] | undefined, suffix = ''): string {
  const selection = select ? `(${select.join(',')})` : '';
  return `${baseUrl}/v1.0/$metadata#${entitySet}${selection}${suffix}`;
}
