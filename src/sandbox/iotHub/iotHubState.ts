import { randomBytes, randomInt } from 'node:crypto';
import type { Tenant } from '../tenant';

/** A JSON object of tags or twin properties. */
export type JsonObject = { [key: string]: unknown };

/** How a device proves its identity to the hub; IoT Hub's `authentication.type`. */
export type AuthenticationType = 'sas' | 'selfSigned' | 'certificateAuthority' | 'none';

/** A device's credentials as the identity registry holds them (never leave the sandbox except on GET/PUT /devices). */
export interface DeviceAuthentication {
  type: AuthenticationType;
  symmetricKey?: { primaryKey: string; secondaryKey: string };
  x509Thumbprint?: { primaryThumbprint: string; secondaryThumbprint: string };
}

/** The twin half of a device: tags and properties with their versions. */
export interface TwinRecord {
  /** Counts every change of tags or desired properties; the twin's etag is derived from it. */
  version: number;
  tags: JsonObject;
  desired: JsonObject;
  desiredVersion: number;
  desiredUpdated: string;
  reported: JsonObject;
  reportedVersion: number;
  reportedUpdated: string;
}

/** One device: its identity registry entry and its twin. */
export interface DeviceRecord {
  deviceId: string;
  generationId: string;
  /** The identity's etag, unquoted; changes when the identity (not the twin) changes. */
  etag: string;
  status: 'enabled' | 'disabled';
  statusReason?: string;
  statusUpdatedTime: string;
  connectionState: 'Connected' | 'Disconnected';
  connectionStateUpdatedTime: string;
  lastActivityTime: string;
  cloudToDeviceMessageCount: number;
  authentication: DeviceAuthentication;
  iotEdge: boolean;
  twin: TwinRecord;
}

/** Everything the IoT Hub sandbox persists. */
export interface IotHubState {
  hostName: string;
  devices: DeviceRecord[];
}

/** A device as tenant.json (or a test's seed) describes it. */
export interface IotHubSeedDevice {
  deviceId: string;
  tags?: JsonObject;
  properties?: { desired?: JsonObject; reported?: JsonObject };
  /** Defaults to `sas` with generated symmetric keys; `selfSigned` gets generated thumbprints. */
  authenticationType?: AuthenticationType;
}

/** The `iotHub` section of tenant.json, or a test's replacement for it. */
export interface IotHubSeed {
  hostName: string;
  devices: IotHubSeedDevice[];
  /** Unowned environment sensors generated at seed time, so that listing and paging are real. */
  sharedSensors?: { deviceIdPrefix: string; count: number; sites: string[] };
}

/** IoT Hub's "never" timestamp, which it reports for a device that has not connected yet. */
export const NEVER = '0001-01-01T00:00:00Z';

/** The seed that tenant.json holds for the IoT Hub sandbox. */
export function tenantIotHubSeed(tenant: Tenant): IotHubSeed {
  return tenant.iotHub as IotHubSeed;
}

/** The state of a freshly seeded hub: every seed device with fresh keys and a twin at version 1. */
export function seedIotHubState(seed: IotHubSeed, now: Date = new Date()): IotHubState {
  const devices = seed.devices.map((device) => newDeviceRecord(device, now));
  const shared = seed.sharedSensors;
  if (shared) {
    const width = String(shared.count).length;
    for (let index = 1; index <= shared.count; index++) {
      devices.push(newDeviceRecord({
        deviceId: `${shared.deviceIdPrefix}${String(index).padStart(Math.max(3, width), '0')}`,
        tags: { site: shared.sites[(index - 1) % shared.sites.length], kind: 'environment' },
        properties: { reported: { temperature: 19 + (index % 6) } },
      }, now));
    }
  }
  return { hostName: seed.hostName, devices };
}

/** A new registry entry; keys or thumbprints are generated where the seed has none. */
export function newDeviceRecord(seed: IotHubSeedDevice, now: Date): DeviceRecord {
  const timestamp = now.toISOString();
  return {
    deviceId: seed.deviceId,
    generationId: newGenerationId(),
    etag: newDeviceEtag(),
    status: 'enabled',
    statusUpdatedTime: NEVER,
    connectionState: 'Disconnected',
    connectionStateUpdatedTime: NEVER,
    lastActivityTime: NEVER,
    cloudToDeviceMessageCount: 0,
    authentication: generatedAuthentication(seed.authenticationType ?? 'sas'),
    iotEdge: false,
    twin: {
      version: 1,
      tags: structuredClone(seed.tags ?? {}),
      desired: structuredClone(seed.properties?.desired ?? {}),
      desiredVersion: 1,
      desiredUpdated: timestamp,
      reported: structuredClone(seed.properties?.reported ?? {}),
      reportedVersion: 1,
      reportedUpdated: timestamp,
    },
  };
}

/** Credentials of the given type, with fresh keys (sas) or thumbprints (selfSigned). */
export function generatedAuthentication(type: AuthenticationType): DeviceAuthentication {
  if (type === 'sas') return { type, symmetricKey: { primaryKey: newKey(), secondaryKey: newKey() } };
  if (type === 'selfSigned') {
    return { type, x509Thumbprint: { primaryThumbprint: newThumbprint(), secondaryThumbprint: newThumbprint() } };
  }
  return { type };
}

/** A base64 symmetric key of 32 random bytes, as IoT Hub generates them. */
export function newKey(): string {
  return randomBytes(32).toString('base64');
}

function newThumbprint(): string {
  return randomBytes(20).toString('hex').toUpperCase();
}

/** IoT Hub's identity etags are base64 of a decimal number, e.g. `MTk4NzY1NDMy`. */
export function newDeviceEtag(): string {
  return Buffer.from(String(randomInt(100_000_000, 999_999_999)), 'utf8').toString('base64');
}

function newGenerationId(): string {
  return `63${String(randomInt(1e9, 1e10 - 1))}${String(randomInt(1e5, 1e6 - 1))}`;
}

/** The twin's etag: base64 of its version as 8 big-endian bytes, e.g. `AAAAAAAAAAE=` for version 1. */
export function twinEtag(twin: TwinRecord): string {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64BE(BigInt(twin.version));
  return bytes.toString('base64');
}

/** Finds a device by id; device ids are case-sensitive in IoT Hub. */
export function findDevice(state: IotHubState, deviceId: string): DeviceRecord | undefined {
  return state.devices.find((device) => device.deviceId === deviceId);
}
