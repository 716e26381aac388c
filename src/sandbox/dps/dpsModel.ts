/**
 * The Device Provisioning Service records as the service API (2021-10-01) names them.
 * Only what the sandbox stores and answers is typed here.
 */

export const ATTESTATION_TYPES = ['none', 'tpm', 'x509', 'symmetricKey'] as const;
export type AttestationType = (typeof ATTESTATION_TYPES)[number];

export interface X509CertificateInfo {
  subjectName: string;
  sha1Thumbprint: string;
  sha256Thumbprint: string;
  issuerName: string;
  notBeforeUtc: string;
  notAfterUtc: string;
  serialNumber: string;
  version: number;
}

export interface X509CertificateWithInfo {
  certificate?: string;
  info?: X509CertificateInfo;
}

/** How a device proves who it is; the keys and certificates are secrets of the device. */
export interface AttestationMechanism {
  type: AttestationType;
  tpm?: { endorsementKey: string; storageRootKey?: string };
  x509?: {
    clientCertificates?: { primary?: X509CertificateWithInfo; secondary?: X509CertificateWithInfo };
    signingCertificates?: { primary?: X509CertificateWithInfo; secondary?: X509CertificateWithInfo };
    caReferences?: { primary?: string; secondary?: string };
  };
  symmetricKey?: { primaryKey?: string; secondaryKey?: string };
}

/** A twin collection: free-form properties (tags, desired properties). */
export type TwinCollection = Record<string, unknown>;

export interface InitialTwin {
  tags?: TwinCollection;
  properties?: { desired?: TwinCollection };
}

export interface ReprovisionPolicy {
  updateHubAssignment: boolean;
  migrateDeviceData: boolean;
}

/** What an individual enrollment and an enrollment group both hold: how devices attest and where they go. */
export interface EnrollmentSettings {
  attestation: AttestationMechanism;
  capabilities?: { iotEdge: boolean };
  iotHubHostName?: string;
  initialTwin?: InitialTwin;
  etag: string;
  provisioningStatus: 'enabled' | 'disabled';
  reprovisionPolicy?: ReprovisionPolicy;
  createdDateTimeUtc: string;
  lastUpdatedDateTimeUtc: string;
  allocationPolicy?: 'hashed' | 'geoLatency' | 'static' | 'custom';
  iotHubs?: string[];
}

/** An individual enrollment as stored; its `registrationState` is added when it is answered. */
export interface IndividualEnrollment extends EnrollmentSettings {
  registrationId: string;
  deviceId?: string;
  optionalDeviceInformation?: TwinCollection;
}

export interface EnrollmentGroup extends EnrollmentSettings {
  enrollmentGroupId: string;
}

export const REGISTRATION_STATUSES = ['unassigned', 'assigning', 'assigned', 'failed', 'disabled'] as const;
export type RegistrationStatus = (typeof REGISTRATION_STATUSES)[number];

/** A device registration state (registration record), as the service answers it. */
export interface DeviceRegistrationState {
  registrationId: string;
  createdDateTimeUtc: string;
  assignedHub?: string;
  deviceId?: string;
  status: RegistrationStatus;
  substatus?: 'initialAssignment' | 'deviceDataMigrated' | 'deviceDataReset' | 'reprovisionedToInitialAssignment';
  lastUpdatedDateTimeUtc: string;
  etag: string;
}

/** A registration record as stored: which enrollment group provisioned it, if one did. */
export interface StoredRegistration extends DeviceRegistrationState {
  enrollmentGroupId?: string;
}

/** Everything the DPS sandbox persists. Registration records live apart from enrollments, as in DPS. */
export interface DpsState {
  enrollments: IndividualEnrollment[];
  registrations: StoredRegistration[];
  enrollmentGroups: EnrollmentGroup[];
}
