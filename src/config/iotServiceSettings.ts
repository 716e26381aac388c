import { SANDBOX_IOT_HUB_HOST_NAME, SANDBOX_PORTS } from './sandboxDefaults';
import type { EndpointReader } from './serviceUrls';
import type { SettingReader } from './settingReader';

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

export function digitalTwinsSettings(read: SettingReader, sandbox: boolean, endpoint: EndpointReader): DigitalTwinsConfig {
  const { text, problems } = read;
  // The seeded tenant links lockers to person twins by `assignedTo` (src/sandbox/tenant.json).
  const linkRelationship = text('DSR_DIGITAL_TWINS_LINK_RELATIONSHIP', sandbox ? 'assignedTo' : '') || undefined;
  if (linkRelationship && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(linkRelationship)) problems.push('DSR_DIGITAL_TWINS_LINK_RELATIONSHIP must be a relationship name (letters, digits and _).');
  const byRelationshipOnly = text('DSR_DIGITAL_TWINS_LINK_PROPERTY', '') === 'none';
  if (byRelationshipOnly && !linkRelationship) problems.push('DSR_DIGITAL_TWINS_LINK_PROPERTY is none, so DSR_DIGITAL_TWINS_LINK_RELATIONSHIP must name the relationship that links twins to people.');
  return {
    url: endpoint('DSR_DIGITAL_TWINS_URL', 'digitalTwins', `https://127.0.0.1:${SANDBOX_PORTS.digitalTwins}`, 'the instance URL, https://<name>.api.<region>.digitaltwins.azure.net'),
    linkProperty: byRelationshipOnly ? null : read.propertyPath('DSR_DIGITAL_TWINS_LINK_PROPERTY', 'ownerId'),
    linkHolds: read.oneOf('DSR_DIGITAL_TWINS_LINK_HOLDS', LINK_FIELDS, 'aadObjectId'),
    ...(linkRelationship ? { linkRelationship } : {}),
  };
}

export function iotCentralSettings(read: SettingReader, endpoint: EndpointReader): IotCentralConfig {
  return {
    url: endpoint('DSR_IOT_CENTRAL_URL', 'iotCentral', `https://127.0.0.1:${SANDBOX_PORTS.iotCentral}`, 'the application URL, https://<subdomain>.azureiotcentral.com'),
    apiToken: read.optional('DSR_IOT_CENTRAL_API_TOKEN'),
    deviceOwnerProperty: read.propertyPath('DSR_IOT_CENTRAL_DEVICE_OWNER_PROPERTY', 'ownerEmail'),
    deleteLinkedDevices: read.yesNo('DSR_IOT_CENTRAL_DELETE_DEVICES'),
  };
}

export function dpsSettings(read: SettingReader, endpoint: EndpointReader): DpsConfig {
  return {
    url: endpoint('DSR_DPS_URL', 'dps', `https://127.0.0.1:${SANDBOX_PORTS.dps}`, 'the service endpoint, https://<name>.azure-devices-provisioning.net'),
    sasToken: read.optional('DSR_DPS_SAS_TOKEN'),
    ownerTag: read.propertyPath('DSR_DPS_OWNER_TAG', 'owner'),
  };
}

export function iotHubSettings(read: SettingReader, sandbox: boolean, used: boolean): IotHubConfig {
  const { text, problems } = read;
  const connectionString = read.optional('DSR_IOT_HUB_CONNECTION_STRING');
  const hubFromConnectionString = /HostName=([^;]+)/i.exec(connectionString ?? '')?.[1];
  const hostName = text('DSR_IOT_HUB_HOST_NAME', hubFromConnectionString ?? (sandbox ? SANDBOX_IOT_HUB_HOST_NAME : ''));
  if (!hostName && used) problems.push('DSR_IOT_HUB_HOST_NAME is required when DSR_SERVICES includes iotHub: the hub, <name>.azure-devices.net.');
  const endpoint = text('DSR_IOT_HUB_ENDPOINT', sandbox ? `127.0.0.1:${SANDBOX_PORTS.iotHub}` : hostName);
  // The adapter always reaches the hub over https (src/adapters/iotHub/registryClient.ts): a scheme here could only be wrong.
  if (endpoint && !/^[^:/\s]+(:\d{1,5})?$/.test(endpoint)) {
    problems.push('DSR_IOT_HUB_ENDPOINT must be the hub\'s host name, with a port if needed, without a scheme or path: the bot reaches it over https only.');
  }
  return {
    hostName,
    endpoint,
    connectionString,
    ownerTag: read.propertyPath('DSR_IOT_HUB_OWNER_TAG', 'owner'),
    eraseMode: read.oneOf('DSR_IOT_HUB_ERASE_MODE', ['delete', 'clearPersonalData'] as const, 'delete'),
  };
}
