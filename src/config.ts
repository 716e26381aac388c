import path from 'node:path';
import { REGIMES, Regime, SERVICE_NAMES, ServiceName } from './dsr/types';

/** Well-known Azurite account key, public by design (it only opens the local emulator). */
const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

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

/** Retries and limits of every call to a service (see src/adapters/callPolicy.ts). */
export interface CallPolicyConfig {
  timeoutMs: number;
  maxRetries: number;
  baseDelayMs: number;
  concurrency: number;
}

/** The hub the seeded DPS registrations name (src/sandbox/tenant.json). */
export const SANDBOX_IOT_HUB_HOST_NAME = 'contoso-hub.azure-devices.net';

export interface Config {
  /** No Azure at all: local stand-ins, a fixed token, the seeded tenant. */
  sandbox: boolean;
  host: string;
  port: number;
  /** Empty in sandbox mode: then inbound requests are not authenticated and the bot binds to loopback only. */
  botAppId: string;
  botAppPassword: string;
  botTenantId: string;
  storageConnectionString: string;
  graphUrl: string;
  approverGroupId: string;
  erasureApprovals: number;
  purgeGraceDays: number;
  exportLinkDays: number;
  defaultRegime: Regime;
  services: ServiceName[];
  digitalTwins: DigitalTwinsConfig;
  iotCentral: IotCentralConfig;
  dps: DpsConfig;
  iotHub: IotHubConfig;
  callPolicy: CallPolicyConfig;
  dataDir: string;
  jobVisibilitySeconds: number;
  workerConcurrency: number;
  logLevel: string;
  /** Key of the pseudonyms that replace a subject's identity in the bot's own records. */
  pseudonymKey: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`The bot cannot start; fix these settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/**
 * Every setting from the environment, validated once. Errors name the setting and the fix.
 * In sandbox mode (no MicrosoftAppId) every Azure endpoint defaults to its local stand-in.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, approverGroupFallback = ''): Config {
  const problems: string[] = [];
  const text = (name: string, fallback: string) => env[name]?.trim() || fallback;
  const whole = (name: string, fallback: number, min: number, max: number) => {
    const raw = env[name]?.trim();
    if (!raw) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max} (got '${raw}').`);
      return fallback;
    }
    return value;
  };

  const botAppId = text('MicrosoftAppId', '');
  const sandboxSetting = env.DSR_SANDBOX?.trim().toLowerCase();
  if (sandboxSetting && !['on', 'off'].includes(sandboxSetting)) problems.push(`DSR_SANDBOX must be on or off (got '${env.DSR_SANDBOX}').`);
  const sandbox = sandboxSetting ? sandboxSetting === 'on' : !botAppId;
  const host = text('DSR_HOST', '127.0.0.1');
  if (!botAppId && !LOOPBACK.has(host)) {
    problems.push(`DSR_HOST is '${host}' but MicrosoftAppId is not set: without an app id nobody is authenticated, so the bot only listens on loopback. Set MicrosoftAppId (and MicrosoftAppPassword) or DSR_HOST=127.0.0.1.`);
  }
  const storageConnectionString = text(
    'DSR_STORAGE_CONNECTION_STRING',
    sandbox ? azuriteConnectionString('127.0.0.1', SANDBOX_PORTS.azuriteBlob) : '',
  );
  if (!storageConnectionString) problems.push('DSR_STORAGE_CONNECTION_STRING is required outside sandbox mode: the Storage account that holds requests, jobs and exports.');
  const approverGroupId = text('DSR_APPROVER_GROUP_ID', sandbox ? approverGroupFallback : '');
  if (!approverGroupId) problems.push('DSR_APPROVER_GROUP_ID is required: the object id of the Entra group whose members may decide requests.');

  const pseudonymKey = text('DSR_PSEUDONYM_KEY', sandbox ? 'sandbox-only-pseudonym-key' : '');
  if (pseudonymKey.length < 16) problems.push('DSR_PSEUDONYM_KEY must be a secret of at least 16 characters: it keys the pseudonyms of erased subjects.');

  const regime = text('DSR_DEFAULT_REGIME', 'GDPR').toUpperCase();
  if (!(REGIMES as readonly string[]).includes(regime)) problems.push(`DSR_DEFAULT_REGIME must be GDPR or CCPA (got '${regime}').`);

  const services = text('DSR_SERVICES', sandbox ? SERVICE_NAMES.join(',') : 'entra,botStore')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = services.filter((s) => !(SERVICE_NAMES as readonly string[]).includes(s));
  if (unknown.length) problems.push(`DSR_SERVICES names unknown services: ${unknown.join(', ')}. Known: ${SERVICE_NAMES.join(', ')}.`);
  const uses = (service: ServiceName) => services.includes(service);

  /** An endpoint: the sandbox's by default there, required elsewhere when the service is used. */
  const endpoint = (name: string, service: ServiceName, sandboxValue: string, what: string) => {
    const value = text(name, sandbox ? sandboxValue : '');
    if (!value && uses(service)) problems.push(`${name} is required when DSR_SERVICES includes ${service}: ${what}.`);
    return value;
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const value = text(name, fallback);
    if ((allowed as readonly string[]).includes(value)) return value as T;
    problems.push(`${name} must be one of ${allowed.join(', ')} (got '${value}').`);
    return fallback;
  };
  const propertyPath = (name: string, fallback: string) => {
    const value = text(name, fallback);
    if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(value)) problems.push(`${name} must be a property path such as ownerId or externalIds.entra (got '${value}').`);
    return value;
  };
  const yesNo = (name: string) => {
    const value = text(name, 'false').toLowerCase();
    if (!['true', 'false'].includes(value)) problems.push(`${name} must be true or false (got '${value}').`);
    return value === 'true';
  };
  const optional = (name: string) => text(name, '') || undefined;

  // The seeded tenant links lockers to person twins by `assignedTo` (src/sandbox/tenant.json).
  const linkRelationship = text('DSR_DIGITAL_TWINS_LINK_RELATIONSHIP', sandbox ? 'assignedTo' : '') || undefined;
  if (linkRelationship && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(linkRelationship)) problems.push(`DSR_DIGITAL_TWINS_LINK_RELATIONSHIP must be a relationship name (got '${linkRelationship}').`);
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
  const iotHub: IotHubConfig = {
    hostName: iotHubHost,
    endpoint: text('DSR_IOT_HUB_ENDPOINT', sandbox ? `127.0.0.1:${SANDBOX_PORTS.iotHub}` : iotHubHost),
    connectionString: iotHubConnectionString,
    ownerTag: propertyPath('DSR_IOT_HUB_OWNER_TAG', 'owner'),
    eraseMode: oneOf('DSR_IOT_HUB_ERASE_MODE', ['delete', 'clearPersonalData'] as const, 'delete'),
  };
  const callPolicy: CallPolicyConfig = {
    timeoutMs: whole('DSR_CALL_TIMEOUT_MS', 30_000, 100, 600_000),
    maxRetries: whole('DSR_CALL_MAX_RETRIES', 6, 0, 20),
    baseDelayMs: whole('DSR_CALL_BASE_DELAY_MS', 500, 0, 60_000),
    concurrency: whole('DSR_CALL_CONCURRENCY', 8, 1, 256),
  };

  const config: Config = {
    sandbox,
    host,
    port: whole('PORT', SANDBOX_PORTS.bot, 0, 65535),
    botAppId,
    botAppPassword: text('MicrosoftAppPassword', ''),
    botTenantId: text('MicrosoftAppTenantId', ''),
    storageConnectionString,
    graphUrl: text('DSR_GRAPH_URL', sandbox ? `https://127.0.0.1:${SANDBOX_PORTS.graph}` : 'https://graph.microsoft.com'),
    approverGroupId,
    erasureApprovals: whole('DSR_ERASE_APPROVALS', 2, 1, 5),
    purgeGraceDays: whole('DSR_PURGE_GRACE_DAYS', 14, 0, 30),
    exportLinkDays: whole('DSR_EXPORT_LINK_DAYS', 7, 1, 30),
    defaultRegime: regime as Regime,
    services: services as ServiceName[],
    digitalTwins,
    iotCentral,
    dps,
    iotHub,
    callPolicy,
    dataDir: path.resolve(text('DSR_DATA_DIR', '.data')),
    jobVisibilitySeconds: whole('DSR_JOB_VISIBILITY_SECONDS', 300, 1, 7 * 24 * 3600),
    workerConcurrency: whole('DSR_WORKER_CONCURRENCY', 4, 1, 64),
    logLevel: text('DSR_LOG_LEVEL', 'info'),
    pseudonymKey,
  };
  if (problems.length) throw new ConfigError(problems);
  return config;
}
