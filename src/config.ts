import path from 'node:path';
import { subscriptionOf } from './azureFacts/armScopes';
import { throttleSettingsFrom, type ThrottleSettings } from './adapters/calls/throttleBudget';
import { Regime, REGIMES, SERVICE_NAMES, ServiceName } from './dsr';
import { loadTenant } from './sandbox/tenant';

/** Well-known Azurite account key, public by design (it only opens the local emulator). */
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** The connection string of a local Azurite whose blob, queue and table ports start at `blobPort`. */
export function azuriteConnectionString(host: string, blobPort: number, queuePort = blobPort + 1, tablePort = blobPort + 2): string {
  const account = 'devstoreaccount1';
  return [
    'DefaultEndpointsProtocol=http',
    `AccountName=${account}`,
    `AccountKey=${AZURITE_KEY}`,
    `BlobEndpoint=http://${host}:${blobPort}/${account}`,
    `QueueEndpoint=http://${host}:${queuePort}/${account}`,
    `TableEndpoint=http://${host}:${tablePort}/${account}`,
  ].join(';');
}

/** The sandbox contract of DESIGN.md: where each local stand-in listens. */
export const SANDBOX_PORTS = {
  azuriteBlob: 10000,
  graph: 4010,
  digitalTwins: 4020,
  iotCentral: 4030,
  dps: 4040,
  iotHub: 4050,
  arm: 4060,
  bot: 3978,
  playground: 56150,
} as const;

/** Which subject field a link in a service holds. */
export const LINK_FIELDS = ['aadObjectId', 'email', 'upn'] as const;
export type LinkField = (typeof LINK_FIELDS)[number];

export interface DigitalTwinsConfig {
  url: string;
  /** Twin property path naming the person, e.g. `ownerId` or `externalIds.entra`; null: by relationship only. */
  linkProperty: string | null;
  linkHolds: LinkField;
  /** Relationship from a twin to the person's own twin (whose id is their object id), if used. */
  linkRelationship?: string;
}

export interface IotCentralConfig {
  url: string;
  /** An API token (`SharedAccessSignature sr=...`) instead of an Entra token. */
  apiToken?: string;
  deviceOwnerProperty: string;
  deleteLinkedDevices: boolean;
}

export interface DpsConfig {
  url: string;
  /** A SAS token instead of an Entra token. */
  sasToken?: string;
  ownerTag: string;
}

export interface IotHubConfig {
  /** The hub's host name, as DPS registrations name it. */
  hostName: string;
  /** Where to connect: the host name in Azure, the sandbox's host:port locally. */
  endpoint: string;
  /** A service connection string instead of an Entra token. */
  connectionString?: string;
  ownerTag: string;
  eraseMode: 'delete' | 'clearPersonalData';
}

/** Azure RBAC role assignments (Azure Resource Manager). */
export interface RoleAssignmentsConfig {
  url: string;
  subscriptionId: string;
  /** Resource ids whose assignments (at or below them) the bot finds and removes. */
  scopes: string[];
  /** The bot's own object id: its assignments are never touched. */
  botPrincipalId: string;
}

/** Retries and limits of every call to a service (see src/adapters/calls/callPolicy.ts). */
export interface CallPolicyConfig {
  timeoutMs: number;
  maxRetries: number;
  baseDelayMs: number;
  concurrency: number;
}

/** The hub the seeded DPS registrations name (src/sandbox/tenant.json). */
export const SANDBOX_IOT_HUB_HOST_NAME = 'contoso-hub.azure-devices.net';

/**
 * A Storage account reached with Entra tokens (the managed identity) instead of a connection
 * string: its three service endpoints, without a trailing slash.
 */
export interface StorageAccountEndpoints {
  blobUrl: string;
  queueUrl: string;
  tableUrl: string;
}

/** Bytes of the audit key at least (HMAC-SHA256: a key shorter than the hash weakens it). */
export const AUDIT_KEY_MIN_BYTES = 32;

/** The sandbox's audit key file under DSR_DATA_DIR, unless DSR_AUDIT_KEY_FILE names another. */
export const AUDIT_KEY_FILE_NAME = 'audit-hmac.key';

/**
 * Where the audit chain's HMAC key comes from: the setting DSR_AUDIT_HMAC_KEY (in Azure a Key
 * Vault reference, resolved by App Service), or a key file (the sandbox's, under DSR_DATA_DIR).
 * Never from the Storage account the chain is kept in.
 */
export type AuditKeySource = { kind: 'setting'; key: Buffer } | { kind: 'file'; path: string };

/** How long a user-delegation SAS can live: Azure issues its key for at most seven days. */
export const USER_DELEGATION_MAX_DAYS = 7;

/**
 * How the bot proves itself to the Bot Framework (`MicrosoftAppType`): a single-tenant app
 * registration with a client secret, or a user-assigned managed identity (no secret at all: its
 * tokens come from the managed-identity endpoint, infra/azure.bicep).
 */
export const BOT_APP_TYPES = ['SingleTenant', 'UserAssignedMSI'] as const;
export type BotAppType = (typeof BOT_APP_TYPES)[number];

export interface Config {
  /** No Azure at all: local stand-ins, a fixed token, the seeded tenant. */
  sandbox: boolean;
  host: string;
  port: number;
  /** Empty in sandbox mode: then inbound requests are not authenticated and the bot binds to loopback only. */
  botAppId: string;
  /** What `botAppId` names: an app registration (with `botAppPassword`) or a user-assigned managed identity. */
  botAppType: BotAppType;
  /** Empty for a managed identity. */
  botAppPassword: string;
  botTenantId: string;
  /**
   * Where inbound Bot Framework tokens' signing keys are published (an OpenID configuration
   * document). Unset: botbuilder's own default, Microsoft's public metadata.
   */
  botOpenIdMetadataUrl?: string;
  /** Empty when `storageAccount` is set. */
  storageConnectionString: string;
  /** Set instead of a connection string: the account's endpoints, reached with `DefaultAzureCredential`. */
  storageAccount?: StorageAccountEndpoints;
  /** `AZURE_CLIENT_ID`: the user-assigned managed identity that `DefaultAzureCredential` signs in as. */
  managedIdentityClientId?: string;
  graphUrl: string;
  approverGroupId: string;
  /** Entra group of compliance officers, who may read every request but act on none; unset: nobody. */
  complianceGroupId?: string;
  erasureApprovals: number;
  /** The Graph user property naming the person behind an approver's account; an erasure's approvals count people by it. */
  approverPersonKey: string;
  /** DSR_ENTRA_SIGNIN_ACTIVITY: whether the export reads `signInActivity` (AuditLog.Read.All, an Entra ID P1/P2 licence). */
  entraSignInActivity: boolean;
  purgeGraceDays: number;
  /**
   * A service's own export (system-generated logs): the shortest wait between two checks, when
   * approvers hear it is late, and the Storage account it is written into when not the bot's own.
   */
  serviceExport: { minPollSeconds: number; warnDaysBeforeDue: number; storageConnectionString?: string };
  exportLinkDays: number;
  defaultRegime: Regime;
  services: ServiceName[];
  digitalTwins: DigitalTwinsConfig;
  iotCentral: IotCentralConfig;
  dps: DpsConfig;
  iotHub: IotHubConfig;
  roleAssignments: RoleAssignmentsConfig;
  callPolicy: CallPolicyConfig;
  /** Throttle budgets per service and operation class (DSR_THROTTLE*, src/adapters/calls/throttleBudget.ts). */
  throttle: ThrottleSettings;
  /** Open requests one person may have filed at once. */
  maxOpenRequests: number;
  /** Chat messages one person may send per minute before the bot asks them to slow down. */
  messagesPerMinute: number;
  /** Card actions (invokes) one person may send per minute; counted with messages' in storage, across instances. */
  invokesPerMinute: number;
  dataDir: string;
  jobVisibilitySeconds: number;
  workerConcurrency: number;
  logLevel: string;
  /** Key of the pseudonyms that replace a subject's identity in the bot's own records. */
  pseudonymKey: string;
  /** Months a closed request keeps the subject's personal fields before they are pseudonymised in place. */
  retentionMonths: number;
  /** The key sealing the audit chain and its digests (src/storage/auditKey.ts reads a file). */
  auditKey: AuditKeySource;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`The bot cannot start; fix these settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/** Whether a URL's host name (IPv6 in brackets, as `URL` gives it) is this machine's loopback. */
export const isLoopbackHost = (hostname: string) => LOOPBACK.has(hostname.replace(/^\[(.*)\]$/, '$1'));

/** Why `value` cannot be an OpenID metadata URL, or undefined: https, or in sandbox mode http on loopback (a local key set in tests). */
function metadataUrlProblem(value: string, sandbox: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.protocol === 'https:') return undefined;
  if (sandbox && url.protocol === 'http:' && isLoopbackHost(url.hostname)) return undefined;
  return 'must be an https URL (plain http only on loopback in sandbox mode)';
}

/**
 * Why `value` cannot be a service's URL outside sandbox mode, or undefined: the bot sends the
 * managed identity's tokens to it (Graph's with User.ReadWrite.All), so https only.
 */
function serviceUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute https URL';
  }
  if (url.protocol !== 'https:') return 'must be an https URL outside sandbox mode: the bot sends its access tokens there';
  return undefined;
}

/** `Endpoint=http://` or `DefaultEndpointsProtocol=http` in a storage connection string: requests (and the data) in clear. */
const PLAIN_HTTP_STORAGE = /(^|;)\s*(DefaultEndpointsProtocol\s*=\s*http\s*(;|$)|\w*Endpoint\s*=\s*http:)/i;

const STORAGE_URL_SETTINGS = { blob: 'DSR_STORAGE_BLOB_URL', queue: 'DSR_STORAGE_QUEUE_URL', table: 'DSR_STORAGE_TABLE_URL' } as const;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The account name an endpoint names, or why it cannot serve as one: https (tokens are never sent
 * over plain http), no SAS token or other query, and the account itself, not a container in it.
 * Azure names the account in the host (`dsr.blob.core.windows.net`); an emulator on an IP address
 * or localhost in the path (`https://127.0.0.1:10000/devstoreaccount1`).
 */
function storageEndpointAccount(value: string): { account: string } | { problem: string } {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { problem: 'must be an absolute URL' };
  }
  if (url.protocol !== 'https:') return { problem: 'must be an https URL: the managed identity\'s tokens are only sent over https' };
  if (url.search || url.hash || url.username || url.password) return { problem: 'must be the bare endpoint, without a SAS token or credentials: the bot signs in with its managed identity' };
  const segments = url.pathname.split('/').filter(Boolean);
  const pathStyle = /^\d+\.\d+\.\d+\.\d+$|^\[.*\]$|^localhost$/.test(url.hostname);
  if (pathStyle ? segments.length !== 1 : segments.length !== 0) return { problem: 'must be the account\'s endpoint, not a container, queue or table in it' };
  return { account: pathStyle ? segments[0] : url.hostname.split('.')[0] };
}

/** The account's three endpoints when any is set, each checked; undefined when none is. */
function storageAccountSettings(text: (name: string, fallback: string) => string, problems: string[]): StorageAccountEndpoints | undefined {
  const given = (Object.entries(STORAGE_URL_SETTINGS) as [keyof typeof STORAGE_URL_SETTINGS, string][]).map(([service, name]) => ({ service, name, value: text(name, '') }));
  if (given.every((g) => !g.value)) return undefined;
  const accounts = new Map<string, string>();
  for (const { service, name, value } of given) {
    const example = `https://<account>.${service}.core.windows.net`;
    if (!value) {
      problems.push(`${name} is required with the other DSR_STORAGE_*_URL settings: the account's ${service} endpoint, ${example}.`);
      continue;
    }
    const checked = storageEndpointAccount(value);
    if ('problem' in checked) problems.push(`${name} ${checked.problem}. Use the account's ${service} endpoint, ${example}.`);
    else accounts.set(name, checked.account);
  }
  if (new Set(accounts.values()).size > 1) {
    problems.push('DSR_STORAGE_BLOB_URL, DSR_STORAGE_QUEUE_URL and DSR_STORAGE_TABLE_URL name different accounts: give the three endpoints of one account.');
  }
  const url = (service: keyof typeof STORAGE_URL_SETTINGS) => given.find((g) => g.service === service)!.value.replace(/\/+$/, '');
  return { blobUrl: url('blob'), queueUrl: url('queue'), tableUrl: url('table') };
}

/**
 * The inbound-authentication part of botbuilder's `ConfigurationBotFrameworkAuthenticationOptions`,
 * named as botbuilder names them.
 */
export type BotFrameworkAuthenticationSettings = {
  ToChannelFromBotLoginUrl?: string;
  ToChannelFromBotOAuthScope?: string;
  ToBotFromChannelTokenIssuer?: string;
  OAuthUrl?: string;
  ToBotFromChannelOpenIdMetadataUrl?: string;
  ToBotFromEmulatorOpenIdMetadataUrl?: string;
  CallerId?: string;
  ValidateAuthority?: boolean;
};

/**
 * Botbuilder's public-cloud values (botframework-connector AuthenticationConstants and
 * CallerIdConstants.PublicAzureChannel), checked against botbuilder in test/unit/config.test.ts.
 */
const PUBLIC_CLOUD: Required<BotFrameworkAuthenticationSettings> = {
  ToChannelFromBotLoginUrl: 'https://login.microsoftonline.com/botframework.com',
  ToChannelFromBotOAuthScope: 'https://api.botframework.com',
  ToBotFromChannelTokenIssuer: 'https://api.botframework.com',
  OAuthUrl: 'https://api.botframework.com',
  ToBotFromChannelOpenIdMetadataUrl: 'https://login.botframework.com/v1/.well-known/openidconfiguration',
  ToBotFromEmulatorOpenIdMetadataUrl: 'https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration',
  CallerId: 'urn:botframework:azure',
  ValidateAuthority: true,
};

/**
 * What the TeamsAdapter is given for inbound authentication. Without DSR_BOT_OPENID_METADATA_URL:
 * nothing, so botbuilder applies its own public-cloud defaults. With it: botbuilder treats any
 * one of these values as "everything is configured" and leaves the rest undefined (no issuer,
 * no login URL), so the whole public-cloud set is given with only the metadata URL replaced.
 */
export function botFrameworkAuthenticationSettings(config: Pick<Config, 'botOpenIdMetadataUrl'>): BotFrameworkAuthenticationSettings {
  if (!config.botOpenIdMetadataUrl) return {};
  return { ...PUBLIC_CLOUD, ToBotFromChannelOpenIdMetadataUrl: config.botOpenIdMetadataUrl };
}

/**
 * The audit key's source, or a problem naming the setting. A key given in the setting is checked
 * here (base64, at least {@link AUDIT_KEY_MIN_BYTES} bytes) and its value never appears in a problem.
 */
function auditKeySettings(text: (name: string, fallback: string) => string, sandbox: boolean, dataDir: string, problems: string[]): AuditKeySource {
  const given = text('DSR_AUDIT_HMAC_KEY', '');
  const file = text('DSR_AUDIT_KEY_FILE', '');
  const generate = 'generate one with `openssl rand -base64 32`';
  if (given && file) problems.push('DSR_AUDIT_HMAC_KEY and DSR_AUDIT_KEY_FILE are both set: give the audit key one way.');
  if (given) {
    const bytes = /^[A-Za-z0-9+/]+={0,2}$/.test(given) && given.length % 4 === 0 ? Buffer.from(given, 'base64') : undefined;
    if (!bytes) problems.push(`DSR_AUDIT_HMAC_KEY must be standard base64 (A-Z, a-z, 0-9, +, /, padded with =): ${generate}.`);
    else if (bytes.length < AUDIT_KEY_MIN_BYTES) problems.push(`DSR_AUDIT_HMAC_KEY decodes to ${bytes.length} bytes; the audit key needs at least ${AUDIT_KEY_MIN_BYTES}: ${generate}.`);
    return { kind: 'setting', key: bytes ?? Buffer.alloc(0) };
  }
  if (file) return { kind: 'file', path: path.resolve(file) };
  if (!sandbox) {
    problems.push(`DSR_AUDIT_HMAC_KEY is required outside sandbox mode: the key (base64, ${AUDIT_KEY_MIN_BYTES}+ bytes) sealing the audit chain, kept out of the Storage account; in Azure a Key Vault reference (infra/azure.bicep), or ${generate}.`);
  }
  return { kind: 'file', path: path.join(dataDir, AUDIT_KEY_FILE_NAME) };
}

/**
 * Every setting from the environment, validated once. Errors name the setting and the fix.
 * In sandbox mode (no MicrosoftAppId) every Azure endpoint defaults to its local stand-in.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, approverGroupFallback = '', complianceGroupFallback = ''): Config {
  const problems: string[] = [];
  const text = (name: string, fallback: string) => env[name]?.trim() || fallback;
  const whole = (name: string, fallback: number, min: number, max: number) => {
    const raw = env[name]?.trim();
    if (!raw) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max}.`);
      return fallback;
    }
    return value;
  };

  const botAppId = text('MicrosoftAppId', '');
  const sandboxSetting = env.DSR_SANDBOX?.trim().toLowerCase();
  if (sandboxSetting && !['on', 'off'].includes(sandboxSetting)) problems.push('DSR_SANDBOX must be on or off.');
  const sandbox = sandboxSetting ? sandboxSetting === 'on' : !botAppId;
  const host = text('DSR_HOST', '127.0.0.1');
  if (!botAppId && !LOOPBACK.has(host)) {
    problems.push(`DSR_HOST is not a loopback address but MicrosoftAppId is not set: without an app id nobody is authenticated, so the bot only listens on loopback. Set MicrosoftAppId (and MicrosoftAppPassword) or DSR_HOST=127.0.0.1.`);
  }
  const givenAppType = text('MicrosoftAppType', 'SingleTenant');
  const botAppType = BOT_APP_TYPES.find((type) => type.toLowerCase() === givenAppType.toLowerCase());
  if (!botAppType) problems.push('MicrosoftAppType must be SingleTenant or UserAssignedMSI.');
  if (botAppType === 'UserAssignedMSI') {
    // The identity's tokens come from the managed-identity endpoint; a password would be a secret nobody uses.
    if (!botAppId) problems.push('MicrosoftAppId is required when MicrosoftAppType is UserAssignedMSI: the client id of the bot\'s user-assigned managed identity.');
    else if (!GUID.test(botAppId)) problems.push(`MicrosoftAppId must be the client id (a GUID) of the user-assigned managed identity when MicrosoftAppType is UserAssignedMSI (got '${botAppId}').`);
    if (text('MicrosoftAppPassword', '')) problems.push('MicrosoftAppPassword is set but MicrosoftAppType is UserAssignedMSI: a managed identity has no password; remove the setting.');
  }
  if (botAppId) {
    // botbuilder would otherwise stop at start with an assertion (src/bot/createBotAdapter.ts).
    if (botAppType === 'SingleTenant' && !text('MicrosoftAppPassword', '')) problems.push('MicrosoftAppPassword is required when MicrosoftAppId is set: the client secret of the bot\'s app registration.');
    if (!text('MicrosoftAppTenantId', '')) problems.push('MicrosoftAppTenantId is required when MicrosoftAppId is set: the directory (tenant) id of the bot\'s app registration or managed identity.');
  }
  if (!sandbox && !botAppId && !text('MicrosoftAppTenantId', '')) {
    problems.push('MicrosoftAppTenantId is required outside sandbox mode: the directory (tenant) id whose Teams activities the bot acts on.');
  }
  const botOpenIdMetadataUrl = text('DSR_BOT_OPENID_METADATA_URL', '') || undefined;
  if (botOpenIdMetadataUrl) {
    if (!botAppId) problems.push('DSR_BOT_OPENID_METADATA_URL is set but MicrosoftAppId is not: without an app id inbound requests are not authenticated at all. Set MicrosoftAppId or leave DSR_BOT_OPENID_METADATA_URL unset.');
    const problem = metadataUrlProblem(botOpenIdMetadataUrl, sandbox);
    if (problem) problems.push(`DSR_BOT_OPENID_METADATA_URL ${problem}. Leave it unset for Microsoft's public metadata.`);
  }
  // Storage: a connection string (Azurite in sandbox mode), or the account's endpoints reached with the managed identity.
  const storageAccount = storageAccountSettings(text, problems);
  const givenConnectionString = text('DSR_STORAGE_CONNECTION_STRING', '');
  if (storageAccount && givenConnectionString) {
    problems.push('DSR_STORAGE_CONNECTION_STRING and the DSR_STORAGE_*_URL settings are both set: set the URLs (managed identity, no account keys) or the connection string, not both.');
  }
  const storageConnectionString = storageAccount ? '' : givenConnectionString || (sandbox ? azuriteConnectionString('127.0.0.1', SANDBOX_PORTS.azuriteBlob) : '');
  if (!storageAccount && !storageConnectionString) {
    problems.push('DSR_STORAGE_CONNECTION_STRING (or DSR_STORAGE_BLOB_URL, DSR_STORAGE_QUEUE_URL and DSR_STORAGE_TABLE_URL, reached with the managed identity) is required outside sandbox mode: the Storage account that holds requests, jobs and exports.');
  }
  if (!sandbox && PLAIN_HTTP_STORAGE.test(givenConnectionString)) {
    problems.push('DSR_STORAGE_CONNECTION_STRING names plain http endpoints: outside sandbox mode the Storage account is reached over https only (DefaultEndpointsProtocol=https).');
  }
  // Graph writes system-generated logs for up to 30 days, from outside any network rule: with the
  // managed identity the bot's own account can only sign 7-day SAS, so the logs need an account of their own.
  const serviceExportStorage = text('DSR_SERVICE_EXPORT_STORAGE_CONNECTION_STRING', '');
  if (!sandbox && PLAIN_HTTP_STORAGE.test(serviceExportStorage)) {
    problems.push('DSR_SERVICE_EXPORT_STORAGE_CONNECTION_STRING names plain http endpoints: outside sandbox mode Storage is reached over https only (DefaultEndpointsProtocol=https).');
  }
  const managedIdentityClientId = text('AZURE_CLIENT_ID', '') || undefined;
  if (managedIdentityClientId && !GUID.test(managedIdentityClientId)) {
    problems.push(`AZURE_CLIENT_ID must be the client id (a GUID) of the user-assigned managed identity. Leave it unset to use the system-assigned identity.`);
  }
  const approverGroupId = text('DSR_APPROVER_GROUP_ID', sandbox ? approverGroupFallback : '');
  if (!approverGroupId) problems.push('DSR_APPROVER_GROUP_ID is required: the object id of the Entra group whose members may decide requests.');
  const complianceGroupId = text('DSR_COMPLIANCE_GROUP_ID', sandbox ? complianceGroupFallback : '') || undefined;
  // Goes into a Graph $select as it is: a property name (e.g. employeeId, or an extension_…_name attribute), nothing else.
  const approverPersonKey = text('DSR_APPROVER_PERSON_KEY', 'employeeId');
  if (!/^[A-Za-z][A-Za-z0-9_]{0,119}$/.test(approverPersonKey)) problems.push('DSR_APPROVER_PERSON_KEY must be the name of a Graph user property (letters, digits, underscores), e.g. employeeId.');

  const pseudonymKey = text('DSR_PSEUDONYM_KEY', sandbox ? 'sandbox-only-pseudonym-key' : '');
  if (pseudonymKey.length < 16) problems.push('DSR_PSEUDONYM_KEY must be a secret of at least 16 characters: it keys the pseudonyms of erased subjects.');

  const regime = text('DSR_DEFAULT_REGIME', 'GDPR').toUpperCase();
  if (!(REGIMES as readonly string[]).includes(regime)) problems.push('DSR_DEFAULT_REGIME must be GDPR or CCPA.');

  // systemLogs only when named: every export it joins waits on Microsoft's own export (days in Azure).
  const services = text('DSR_SERVICES', sandbox ? SERVICE_NAMES.filter((s) => s !== 'systemLogs').join(',') : 'entra,botStore')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = services.filter((s) => !(SERVICE_NAMES as readonly string[]).includes(s));
  if (unknown.length) problems.push(`DSR_SERVICES names ${unknown.length === 1 ? 'a service' : `${unknown.length} services`} it does not know. Known: ${SERVICE_NAMES.join(', ')}.`);
  const uses = (service: ServiceName) => services.includes(service);

  /** An endpoint: the sandbox's by default there, required elsewhere when the service is used. */
  const endpoint = (name: string, service: ServiceName, sandboxValue: string, what: string) => {
    const value = text(name, sandbox ? sandboxValue : '');
    if (!value && uses(service)) problems.push(`${name} is required when DSR_SERVICES includes ${service}: ${what}.`);
    const problem = value && !sandbox ? serviceUrlProblem(value) : undefined;
    if (problem) problems.push(`${name} ${problem}: ${what}.`);
    return value;
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const value = text(name, fallback);
    if ((allowed as readonly string[]).includes(value)) return value as T;
    problems.push(`${name} must be one of ${allowed.join(', ')}.`);
    return fallback;
  };
  const propertyPath = (name: string, fallback: string) => {
    const value = text(name, fallback);
    if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(value)) problems.push(`${name} must be a property path such as ownerId or externalIds.entra.`);
    return value;
  };
  const yesNo = (name: string) => {
    const value = text(name, 'false').toLowerCase();
    if (!['true', 'false'].includes(value)) problems.push(`${name} must be true or false.`);
    return value === 'true';
  };
  const optional = (name: string) => text(name, '') || undefined;
  const onOff = (name: string, fallback: 'on' | 'off') => {
    const value = text(name, fallback).toLowerCase();
    if (!['on', 'off'].includes(value)) problems.push(`${name} must be on or off.`);
    return value === 'on';
  };

  // The seeded tenant links lockers to person twins by `assignedTo` (src/sandbox/tenant.json).
  const linkRelationship = text('DSR_DIGITAL_TWINS_LINK_RELATIONSHIP', sandbox ? 'assignedTo' : '') || undefined;
  if (linkRelationship && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(linkRelationship)) problems.push('DSR_DIGITAL_TWINS_LINK_RELATIONSHIP must be a relationship name (letters, digits and _).');
  const byRelationshipOnly = text('DSR_DIGITAL_TWINS_LINK_PROPERTY', '') === 'none';
  if (byRelationshipOnly && !linkRelationship) problems.push('DSR_DIGITAL_TWINS_LINK_PROPERTY is none, so DSR_DIGITAL_TWINS_LINK_RELATIONSHIP must name the relationship that links twins to people.');
  const digitalTwins: DigitalTwinsConfig = {
    url: endpoint('DSR_DIGITAL_TWINS_URL', 'digitalTwins', `https://127.0.0.1:${SANDBOX_PORTS.digitalTwins}`, 'the instance URL, https://<name>.api.<region>.digitaltwins.azure.net'),
    linkProperty: byRelationshipOnly ? null : propertyPath('DSR_DIGITAL_TWINS_LINK_PROPERTY', 'ownerId'),
    linkHolds: oneOf('DSR_DIGITAL_TWINS_LINK_HOLDS', LINK_FIELDS, 'aadObjectId'),
    ...(linkRelationship ? { linkRelationship } : {}),
  };
  const iotCentral: IotCentralConfig = {
    url: endpoint('DSR_IOT_CENTRAL_URL', 'iotCentral', `https://127.0.0.1:${SANDBOX_PORTS.iotCentral}`, 'the application URL, https://<subdomain>.azureiotcentral.com'),
    apiToken: optional('DSR_IOT_CENTRAL_API_TOKEN'),
    deviceOwnerProperty: propertyPath('DSR_IOT_CENTRAL_DEVICE_OWNER_PROPERTY', 'ownerEmail'),
    deleteLinkedDevices: yesNo('DSR_IOT_CENTRAL_DELETE_DEVICES'),
  };
  const dps: DpsConfig = {
    url: endpoint('DSR_DPS_URL', 'dps', `https://127.0.0.1:${SANDBOX_PORTS.dps}`, 'the service endpoint, https://<name>.azure-devices-provisioning.net'),
    sasToken: optional('DSR_DPS_SAS_TOKEN'),
    ownerTag: propertyPath('DSR_DPS_OWNER_TAG', 'owner'),
  };
  const iotHubConnectionString = optional('DSR_IOT_HUB_CONNECTION_STRING');
  const hubFromConnectionString = /HostName=([^;]+)/i.exec(iotHubConnectionString ?? '')?.[1];
  const iotHubHost = text('DSR_IOT_HUB_HOST_NAME', hubFromConnectionString ?? (sandbox ? SANDBOX_IOT_HUB_HOST_NAME : ''));
  if (!iotHubHost && uses('iotHub')) problems.push('DSR_IOT_HUB_HOST_NAME is required when DSR_SERVICES includes iotHub: the hub, <name>.azure-devices.net.');
  const iotHubEndpoint = text('DSR_IOT_HUB_ENDPOINT', sandbox ? `127.0.0.1:${SANDBOX_PORTS.iotHub}` : iotHubHost);
  // The adapter always reaches the hub over https (src/adapters/iotHub/registryClient.ts): a scheme here could only be wrong.
  if (iotHubEndpoint && !/^[^:/\s]+(:\d{1,5})?$/.test(iotHubEndpoint)) {
    problems.push('DSR_IOT_HUB_ENDPOINT must be the hub\'s host name, with a port if needed, without a scheme or path: the bot reaches it over https only.');
  }
  const iotHub: IotHubConfig = {
    hostName: iotHubHost,
    endpoint: iotHubEndpoint,
    connectionString: iotHubConnectionString,
    ownerTag: propertyPath('DSR_IOT_HUB_OWNER_TAG', 'owner'),
    eraseMode: oneOf('DSR_IOT_HUB_ERASE_MODE', ['delete', 'clearPersonalData'] as const, 'delete'),
  };
  const roleAssignments = roleAssignmentsConfig(text, sandbox, uses('roleAssignments'), problems);
  const callPolicy: CallPolicyConfig = {
    timeoutMs: whole('DSR_CALL_TIMEOUT_MS', 30_000, 100, 600_000),
    maxRetries: whole('DSR_CALL_MAX_RETRIES', 6, 0, 20),
    baseDelayMs: whole('DSR_CALL_BASE_DELAY_MS', 500, 0, 60_000),
    concurrency: whole('DSR_CALL_CONCURRENCY', 8, 1, 256),
  };

  const graphUrl = text('DSR_GRAPH_URL', sandbox ? `https://127.0.0.1:${SANDBOX_PORTS.graph}` : 'https://graph.microsoft.com');
  const graphUrlProblem = sandbox ? undefined : serviceUrlProblem(graphUrl);
  if (graphUrlProblem) problems.push(`DSR_GRAPH_URL ${graphUrlProblem}: Microsoft Graph, https://graph.microsoft.com unless a national cloud's.`);
  const dataDir = path.resolve(text('DSR_DATA_DIR', '.data'));
  const config: Config = {
    sandbox,
    host,
    port: whole('PORT', SANDBOX_PORTS.bot, 0, 65535),
    botAppId,
    botAppType: botAppType ?? 'SingleTenant',
    botAppPassword: text('MicrosoftAppPassword', ''),
    botTenantId: text('MicrosoftAppTenantId', ''),
    ...(botOpenIdMetadataUrl ? { botOpenIdMetadataUrl } : {}),
    storageConnectionString,
    ...(storageAccount ? { storageAccount } : {}),
    ...(managedIdentityClientId ? { managedIdentityClientId } : {}),
    graphUrl,
    approverGroupId,
    ...(complianceGroupId ? { complianceGroupId } : {}),
    erasureApprovals: whole('DSR_ERASE_APPROVALS', 2, 1, 5),
    approverPersonKey,
    entraSignInActivity: onOff('DSR_ENTRA_SIGNIN_ACTIVITY', 'on'),
    purgeGraceDays: whole('DSR_PURGE_GRACE_DAYS', 14, 0, 30),
    // A few checks a day once Graph's export runs (it takes days); seconds in the sandbox, whose export takes seconds.
    // Approvers hear of a late export before the 7-day deadline reminder.
    serviceExport: {
      minPollSeconds: whole('DSR_SERVICE_EXPORT_POLL_SECONDS', sandbox ? 1 : 6 * 60 * 60, 1, 24 * 60 * 60),
      warnDaysBeforeDue: whole('DSR_SERVICE_EXPORT_WARN_DAYS', 10, 8, 30),
      ...(serviceExportStorage ? { storageConnectionString: serviceExportStorage } : {}),
    },
    exportLinkDays: whole('DSR_EXPORT_LINK_DAYS', 7, 1, 30),
    defaultRegime: regime as Regime,
    services: services as ServiceName[],
    digitalTwins,
    iotCentral,
    dps,
    iotHub,
    roleAssignments,
    callPolicy,
    // DSR_THROTTLE, DSR_THROTTLE_SHARE, DSR_THROTTLE_GRAPH, DSR_THROTTLE_DIGITAL_TWINS, DSR_THROTTLE_IOT_CENTRAL,
    // DSR_THROTTLE_DPS, DSR_THROTTLE_IOT_HUB and DSR_THROTTLE_ROLE_ASSIGNMENTS, read and checked in src/adapters/calls/throttleBudget.ts.
    throttle: throttleSettingsFrom(env, problems, sandbox),
    maxOpenRequests: whole('DSR_MAX_OPEN_REQUESTS', 5, 1, 100),
    messagesPerMinute: whole('DSR_MESSAGES_PER_MINUTE', 30, 1, 10_000),
    invokesPerMinute: whole('DSR_INVOKES_PER_MINUTE', 60, 1, 10_000),
    dataDir,
    // Also the run lease: a crashed worker's job is taken up again within this, so it stays short
    // (it is renewed every third of it while a job runs).
    jobVisibilitySeconds: whole('DSR_JOB_VISIBILITY_SECONDS', 30, 1, 7 * 24 * 3600),
    workerConcurrency: whole('DSR_WORKER_CONCURRENCY', 4, 1, 64),
    logLevel: text('DSR_LOG_LEVEL', 'info'),
    pseudonymKey,
    // CCPA (11 CCR §7101) keeps records 24 months; the register's fields outlive pseudonymisation, so shorter is allowed.
    retentionMonths: whole('DSR_RETENTION_MONTHS', 24, 1, 120),
    auditKey: auditKeySettings(text, sandbox, dataDir, problems),
  };
  if (storageAccount && config.exportLinkDays > USER_DELEGATION_MAX_DAYS) {
    problems.push(`DSR_EXPORT_LINK_DAYS is more than ${USER_DELEGATION_MAX_DAYS}, but export links signed by the managed identity (user-delegation SAS, used with DSR_STORAGE_*_URL) live at most ${USER_DELEGATION_MAX_DAYS} days: set it to ${USER_DELEGATION_MAX_DAYS} or less.`);
  }
  if (storageAccount && config.services.includes('systemLogs') && !config.serviceExport.storageConnectionString) {
    problems.push(`DSR_SERVICE_EXPORT_STORAGE_CONNECTION_STRING is required when DSR_SERVICES includes systemLogs and Storage is reached with the managed identity: Graph's export of system-generated logs runs for up to 30 days, a SAS signed by the managed identity lives at most ${USER_DELEGATION_MAX_DAYS}, and Graph writes from outside the account's network rules. Name an account of its own for these exports (infra/azure.bicep makes one with systemLogs=true).`);
  }
  if (problems.length) throw new ConfigError(problems);
  return config;
}

/**
 * DSR_ARM_URL, DSR_AZURE_SUBSCRIPTION_ID, DSR_ROLE_ASSIGNMENT_SCOPES and DSR_BOT_PRINCIPAL_ID; in
 * sandbox mode the last three default to tenant.json's `azure` section.
 */
function roleAssignmentsConfig(
  text: (name: string, fallback: string) => string, sandbox: boolean, used: boolean, problems: string[],
): RoleAssignmentsConfig {
  const fallback = sandbox ? loadTenant().azure : undefined;
  const url = text('DSR_ARM_URL', sandbox ? `https://127.0.0.1:${SANDBOX_PORTS.arm}` : 'https://management.azure.com');
  const subscriptionId = text('DSR_AZURE_SUBSCRIPTION_ID', fallback?.subscriptionId ?? '');
  const scopes = text('DSR_ROLE_ASSIGNMENT_SCOPES', fallback?.roleAssignmentScopes.join(',') ?? '').split(',').map((scope) => scope.trim()).filter(Boolean);
  const botPrincipalId = text('DSR_BOT_PRINCIPAL_ID', fallback?.botPrincipalId ?? '');
  if (used) {
    if (!sandbox && serviceUrlProblem(url)) problems.push(`DSR_ARM_URL ${serviceUrlProblem(url)}: Azure Resource Manager, https://management.azure.com.`);
    if (!GUID.test(subscriptionId)) problems.push('DSR_AZURE_SUBSCRIPTION_ID must be the id (a GUID) of the subscription holding the IoT resources when DSR_SERVICES includes roleAssignments.');
    if (scopes.length === 0) problems.push('DSR_ROLE_ASSIGNMENT_SCOPES must name the resource ids (comma-separated) whose role assignments the bot finds and removes when DSR_SERVICES includes roleAssignments.');
    const outside = scopes.filter((scope) => subscriptionOf(scope)?.toLowerCase() !== subscriptionId.toLowerCase());
    if (outside.length > 0) problems.push(`DSR_ROLE_ASSIGNMENT_SCOPES has ${outside.length} entr${outside.length === 1 ? 'y' : 'ies'} that ${outside.length === 1 ? 'is' : 'are'} not a subscription, resource group or resource id in DSR_AZURE_SUBSCRIPTION_ID.`);
    if (!GUID.test(botPrincipalId)) problems.push("DSR_BOT_PRINCIPAL_ID must be the bot's own object id (a GUID), whose role assignments are never touched, when DSR_SERVICES includes roleAssignments.");
  }
  return { url, subscriptionId, scopes, botPrincipalId };
}
