import { completeAttestation } from './attestation';
import { dpsBadRequest } from './dpsErrors';
import type { IndividualEnrollment, InitialTwin, ReprovisionPolicy } from './dpsModel';

/**
 * A registration id as DPS takes it: up to 128 characters, lowercase letters, digits and
 * `-._:`, ending in a letter, a digit or a dash.
 */
const REGISTRATION_ID = /^[a-z0-9\-._:]{0,127}[a-z0-9-]$/;
const ALLOCATION_POLICIES = new Set(['hashed', 'geoLatency', 'static', 'custom']);

/** The writable part of an individual enrollment, validated. */
export type EnrollmentInput = Omit<IndividualEnrollment, 'etag' | 'createdDateTimeUtc' | 'lastUpdatedDateTimeUtc'>;

/**
 * Validates the body of `PUT /enrollments/{id}`. Read-only properties (etag, timestamps,
 * registrationState) are ignored as the service ignores them; symmetric keys left out are
 * kept from `previous` or generated.
 * @throws 400 for anything the service would refuse.
 */
export function parseEnrollmentInput(pathId: string, body: unknown, previous?: IndividualEnrollment): EnrollmentInput {
  if (!REGISTRATION_ID.test(pathId)) throw dpsBadRequest('The registration id is not valid.');
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw dpsBadRequest('The request body must be an individual enrollment.');
  const raw = body as Record<string, unknown>;
  if (raw.registrationId !== undefined && raw.registrationId !== pathId) {
    throw dpsBadRequest('The registration id in the body does not match the one in the path.');
  }
  const attestation = completeAttestation(withPreviousKeys(raw.attestation, previous), { generateMissing: false, commonName: pathId });
  return {
    registrationId: pathId,
    ...(optionalString(raw, 'deviceId') !== undefined && { deviceId: optionalString(raw, 'deviceId') }),
    attestation,
    capabilities: { iotEdge: parseCapabilities(raw.capabilities) },
    ...(optionalString(raw, 'iotHubHostName') !== undefined && { iotHubHostName: optionalString(raw, 'iotHubHostName') }),
    ...(raw.initialTwin !== undefined && { initialTwin: parseInitialTwin(raw.initialTwin) }),
    ...(raw.optionalDeviceInformation !== undefined && { optionalDeviceInformation: objectOf(raw.optionalDeviceInformation, 'optionalDeviceInformation') }),
    provisioningStatus: parseProvisioningStatus(raw.provisioningStatus),
    reprovisionPolicy: parseReprovisionPolicy(raw.reprovisionPolicy),
    ...(raw.allocationPolicy !== undefined && { allocationPolicy: parseAllocationPolicy(raw.allocationPolicy) }),
    ...(raw.iotHubs !== undefined && { iotHubs: parseIotHubs(raw.iotHubs) }),
  };
}

function withPreviousKeys(attestation: unknown, previous: IndividualEnrollment | undefined): unknown {
  const sent = attestation as { type?: unknown; symmetricKey?: unknown } | undefined;
  if (sent?.type === 'symmetricKey' && sent.symmetricKey === undefined && previous?.attestation.type === 'symmetricKey') {
    return { ...sent, symmetricKey: previous.attestation.symmetricKey };
  }
  return attestation;
}

function optionalString(raw: Record<string, unknown>, name: string): string | undefined {
  const value = raw[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw dpsBadRequest(`'${name}' must be a string.`);
  return value;
}

function objectOf(value: unknown, name: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw dpsBadRequest(`'${name}' must be an object.`);
  return structuredClone(value as Record<string, unknown>);
}

function parseInitialTwin(value: unknown): InitialTwin {
  const twin = objectOf(value, 'initialTwin');
  const properties = twin.properties === undefined ? undefined : objectOf(twin.properties, 'initialTwin.properties');
  return {
    ...(twin.tags !== undefined && { tags: objectOf(twin.tags, 'initialTwin.tags') }),
    ...(properties?.desired !== undefined && { properties: { desired: objectOf(properties.desired, 'initialTwin.properties.desired') } }),
  };
}

function parseCapabilities(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  const iotEdge = objectOf(value, 'capabilities').iotEdge;
  if (typeof iotEdge !== 'boolean') throw dpsBadRequest("'capabilities.iotEdge' must be a boolean.");
  return iotEdge;
}

function parseProvisioningStatus(value: unknown): 'enabled' | 'disabled' {
  if (value === undefined || value === null) return 'enabled';
  if (value !== 'enabled' && value !== 'disabled') throw dpsBadRequest("'provisioningStatus' must be enabled or disabled.");
  return value;
}

function parseReprovisionPolicy(value: unknown): ReprovisionPolicy {
  if (value === undefined || value === null) return { updateHubAssignment: true, migrateDeviceData: true };
  const policy = objectOf(value, 'reprovisionPolicy');
  if (typeof policy.updateHubAssignment !== 'boolean' || typeof policy.migrateDeviceData !== 'boolean') {
    throw dpsBadRequest("'reprovisionPolicy' needs the booleans updateHubAssignment and migrateDeviceData.");
  }
  return { updateHubAssignment: policy.updateHubAssignment, migrateDeviceData: policy.migrateDeviceData };
}

function parseAllocationPolicy(value: unknown): IndividualEnrollment['allocationPolicy'] {
  if (typeof value !== 'string' || !ALLOCATION_POLICIES.has(value)) throw dpsBadRequest("'allocationPolicy' is not valid.");
  return value as IndividualEnrollment['allocationPolicy'];
}

function parseIotHubs(value: unknown): string[] {
  if (!Array.isArray(value) || !value.every((hub) => typeof hub === 'string')) throw dpsBadRequest("'iotHubs' must be an array of host names.");
  return [...value] as string[];
}
