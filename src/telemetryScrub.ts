/**
 * What the bot's telemetry may say about a call: scrubbing of span names and attributes before
 * they leave the process. URLs of the services the bot calls name people (`/users/{objectId}`,
 * `$filter=mail eq '<address>'`, a device or twin named after its owner), and error messages quote
 * them; so URL paths keep only the words of the APIs' routes, query strings keep only parameter
 * names, free-text attributes are dropped, and any other string loses object ids and addresses.
 * Pure, so that it is tested without the exporter.
 */

/** A span attribute's value, as OpenTelemetry allows it. */
export type AttributeValue = string | number | boolean | (string | null | undefined)[] | (number | null | undefined)[] | (boolean | null | undefined)[];

export type Attributes = Record<string, AttributeValue | undefined>;

/** Stands for a path segment that is not a route word of the APIs the bot calls. */
export const SEGMENT_PLACEHOLDER = '{id}';
const EMAIL_PLACEHOLDER = '{email}';
const GUID_PLACEHOLDER = '{guid}';

/**
 * Route words of the APIs the bot calls and serves (Graph, Digital Twins, IoT Central, DPS, IoT
 * Hub, ARM, Bot Framework, Entra token endpoints). A segment outside this list can be a name.
 */
const ROUTE_WORDS: ReadonlySet<string> = new Set(
  [
    'v1.0', 'beta', 'v2.0', 'v3', 'users', 'groups', 'directory', 'deletedItems', 'checkMemberGroups', 'getMemberGroups', 'memberOf', 'transitiveMemberOf',
    'exportPersonalData', 'dataPolicyOperations', 'authentication', 'methods', 'manager', 'directReports', 'ownedDevices', 'registeredDevices', 'me',
    'digitaltwins', 'relationships', 'incomingrelationships', 'query', 'models', 'components',
    'api', 'devices', 'properties', 'roles', 'deviceTemplates', 'telemetry', 'commands', 'enrollments', 'enrollmentGroups', 'registrations',
    'twins', 'modules', 'jobs', 'configurations', 'messages', 'conversations', 'activities', 'members',
    'subscriptions', 'resourceGroups', 'providers', 'Microsoft.Authorization', 'roleAssignments', 'roleDefinitions',
    'oauth2', 'token', 'authorize', 'discovery', 'keys', 'openidconfiguration', '.well-known', 'openid-configuration', 'metadata', 'identity',
    'healthz', 'readyz', '_sandbox', 'health',
  ].map((w) => w.toLowerCase()),
);

/** Attributes holding free text (messages, statements, headers, end-user ids): dropped whole. */
const FREE_TEXT_KEYS = [/^exception\.message$/, /^exception\.stacktrace$/, /^db\.(statement|query\.text)$/, /^http\.(request|response)\.header\./, /^enduser\./, /^user\./, /^client\.address$/, /^net\.peer\.ip$/, /^http\.client_ip$/, /^network\.peer\.address$/, /^net\.sock\.peer\.addr$/];

/** Attributes that hold a URL, a path or a path with its query. */
const URL_KEYS: ReadonlySet<string> = new Set(['url.full', 'http.url', 'http.target', 'url.path', 'url.query', 'http.route', 'url.original']);

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const EMAIL = /[^\s/?#&=@'"%]+(@|%40)[^\s/?#&='"]+/gi;

/** `text` without object ids or e-mail addresses (UPNs included). */
export function withoutIdentifiers(text: string): string {
  return text.replace(EMAIL, EMAIL_PLACEHOLDER).replace(GUID, GUID_PLACEHOLDER);
}

function scrubPath(path: string): string {
  return path
    .split('/')
    .map((segment) => (segment === '' || ROUTE_WORDS.has(safeDecode(segment).toLowerCase()) ? segment : SEGMENT_PLACEHOLDER))
    .join('/');
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Only the names of a query's parameters: their values can be filters on a person's address. */
function scrubQuery(query: string): string {
  const names = query
    .replace(/^\?/, '')
    .split('&')
    .filter(Boolean)
    .map((pair) => safeDecode(pair.split('=')[0]));
  return names.length ? `?${names.map((n) => withoutIdentifiers(n)).join('&')}` : '';
}

/**
 * A URL (absolute, or a path with its query) as telemetry may keep it: scheme, host and port,
 * the path's route words with every other segment a placeholder, the query's parameter names.
 */
export function scrubUrl(url: string): string {
  const match = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]*)?([^?#]*)(\?[^#]*)?/i.exec(url);
  if (!match) return SEGMENT_PLACEHOLDER;
  const [, origin = '', path = '', query = ''] = match;
  // Credentials in the authority are dropped; the host names a service, not a person.
  const host = origin.replace(/\/\/[^@/]*@/, '//');
  return `${host}${scrubPath(path)}${scrubQuery(query)}`;
}

function scrubValue(key: string, value: AttributeValue): AttributeValue {
  if (typeof value === 'string') return URL_KEYS.has(key) ? (key === 'url.query' ? scrubQuery(value) : scrubUrl(value)) : withoutIdentifiers(value);
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? withoutIdentifiers(v) : v)) as AttributeValue;
  return value;
}

/** The attributes as telemetry may keep them: free text dropped, URLs scrubbed, ids and addresses replaced. */
export function scrubAttributes(attributes: Attributes): Attributes {
  const kept: Attributes = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || FREE_TEXT_KEYS.some((pattern) => pattern.test(key))) continue;
    kept[key] = scrubValue(key, value);
  }
  return kept;
}

/** A span's name as telemetry may keep it: a name holding a path (`GET /users/…`) has it scrubbed. */
export function scrubSpanName(name: string): string {
  const path = /^(\S+\s+)?(\S*\/\S*)$/.exec(name);
  return path ? `${path[1] ?? ''}${scrubUrl(path[2])}` : withoutIdentifiers(name);
}
