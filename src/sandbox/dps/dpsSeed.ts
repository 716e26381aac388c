import { completeAttestation } from './attestation';
import { newEtag } from './etag';
import {
  REGISTRATION_STATUSES, type DpsState, type EnrollmentGroup, type IndividualEnrollment, type RegistrationStatus,
  type StoredRegistration,
} from './dpsModel';

/** An enrollment as tenant.json gives it: what a person would send on create; the service fills in the rest. */
export interface DpsSeedEnrollment {
  registrationId: string;
  deviceId?: string;
  /** `type` only is enough: keys, endorsement keys and certificates are generated. */
  attestation: { type: string } & Record<string, unknown>;
  initialTwin?: { tags?: Record<string, unknown>; properties?: { desired?: Record<string, unknown> } };
  provisioningStatus?: string;
  iotHubHostName?: string;
}

export interface DpsSeedRegistration {
  registrationId: string;
  deviceId?: string;
  assignedHub?: string;
  status: string;
  /** Set for a device provisioned through an enrollment group. */
  enrollmentGroupId?: string;
}

export interface DpsSeedEnrollmentGroup {
  enrollmentGroupId: string;
  attestation: { type: string } & Record<string, unknown>;
  provisioningStatus?: string;
  iotHubHostName?: string;
}

/**
 * Many owner-less enrollments (facility sensors), each registered to a hub, so that
 * queries page for real: `<prefix>001`, `<prefix>002`, ...
 */
export interface DpsSeedFleet {
  count: number;
  registrationIdPrefix: string;
  iotHubHostName: string;
}

/** The `dps` section of tenant.json, or a test's own seed. */
export interface DpsSeed {
  enrollments: DpsSeedEnrollment[];
  registrations: DpsSeedRegistration[];
  enrollmentGroups: DpsSeedEnrollmentGroup[];
  fleet?: DpsSeedFleet;
}

/**
 * The state of a freshly seeded DPS: the seed's records completed as the service completes
 * them on create (ETags, timestamps, generated attestation secrets), the fleet after them.
 */
export function seedDpsState(seed: DpsSeed, now = new Date()): DpsState {
  const timestamp = now.toISOString();
  const enrollments = [...seed.enrollments, ...fleetEnrollments(seed.fleet)].map((enrollment) => seedEnrollment(enrollment, timestamp));
  const registrations = [...seed.registrations, ...fleetRegistrations(seed.fleet)].map((registration) => seedRegistration(registration, timestamp));
  const enrollmentGroups = seed.enrollmentGroups.map((group) => seedGroup(group, timestamp));
  return { enrollments, registrations, enrollmentGroups };
}

function seedEnrollment(seed: DpsSeedEnrollment, timestamp: string): IndividualEnrollment {
  return {
    registrationId: seed.registrationId,
    ...(seed.deviceId !== undefined && { deviceId: seed.deviceId }),
    attestation: completeAttestation(seed.attestation, { generateMissing: true, commonName: seed.registrationId }),
    capabilities: { iotEdge: false },
    ...(seed.iotHubHostName !== undefined && { iotHubHostName: seed.iotHubHostName }),
    ...(seed.initialTwin !== undefined && { initialTwin: structuredClone(seed.initialTwin) }),
    etag: newEtag(),
    provisioningStatus: provisioningStatus(seed.provisioningStatus),
    reprovisionPolicy: { updateHubAssignment: true, migrateDeviceData: true },
    createdDateTimeUtc: timestamp,
    lastUpdatedDateTimeUtc: timestamp,
  };
}

function seedRegistration(seed: DpsSeedRegistration, timestamp: string): StoredRegistration {
  if (!(REGISTRATION_STATUSES as readonly string[]).includes(seed.status)) {
    throw new Error(`DPS seed: registration status '${seed.status}' is not one of ${REGISTRATION_STATUSES.join(', ')}`);
  }
  return {
    registrationId: seed.registrationId,
    createdDateTimeUtc: timestamp,
    ...(seed.assignedHub !== undefined && { assignedHub: seed.assignedHub }),
    ...(seed.deviceId !== undefined && { deviceId: seed.deviceId }),
    status: seed.status as RegistrationStatus,
    ...(seed.status === 'assigned' && { substatus: 'initialAssignment' as const }),
    lastUpdatedDateTimeUtc: timestamp,
    etag: newEtag(),
    ...(seed.enrollmentGroupId !== undefined && { enrollmentGroupId: seed.enrollmentGroupId }),
  };
}

function seedGroup(seed: DpsSeedEnrollmentGroup, timestamp: string): EnrollmentGroup {
  return {
    enrollmentGroupId: seed.enrollmentGroupId,
    attestation: completeAttestation(seed.attestation, { generateMissing: true, commonName: seed.enrollmentGroupId }),
    capabilities: { iotEdge: false },
    ...(seed.iotHubHostName !== undefined && { iotHubHostName: seed.iotHubHostName }),
    etag: newEtag(),
    provisioningStatus: provisioningStatus(seed.provisioningStatus),
    reprovisionPolicy: { updateHubAssignment: true, migrateDeviceData: true },
    createdDateTimeUtc: timestamp,
    lastUpdatedDateTimeUtc: timestamp,
  };
}

function provisioningStatus(value: string | undefined): 'enabled' | 'disabled' {
  if (value === undefined || value === 'enabled' || value === 'disabled') return value ?? 'enabled';
  throw new Error(`DPS seed: provisioningStatus '${value}' is neither enabled nor disabled`);
}

function fleetIds(fleet: DpsSeedFleet | undefined): string[] {
  if (!fleet) return [];
  const width = Math.max(3, String(fleet.count).length);
  return Array.from({ length: fleet.count }, (_, i) => `${fleet.registrationIdPrefix}${String(i + 1).padStart(width, '0')}`);
}

function fleetEnrollments(fleet: DpsSeedFleet | undefined): DpsSeedEnrollment[] {
  return fleetIds(fleet).map((registrationId) => ({
    registrationId,
    deviceId: registrationId.replace(/^reg-/, ''),
    attestation: { type: 'symmetricKey' },
    initialTwin: { tags: { site: 'fleet' } },
    iotHubHostName: fleet!.iotHubHostName,
  }));
}

function fleetRegistrations(fleet: DpsSeedFleet | undefined): DpsSeedRegistration[] {
  return fleetIds(fleet).map((registrationId) => ({
    registrationId,
    deviceId: registrationId.replace(/^reg-/, ''),
    assignedHub: fleet!.iotHubHostName,
    status: 'assigned',
  }));
}
