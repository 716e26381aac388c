import type { DeviceRegistrationState, DpsState, IndividualEnrollment, StoredRegistration } from './dpsModel';

// Registration ids and enrollment group ids are case-insensitive in DPS.
function sameId(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

export function findEnrollmentIndex(state: Readonly<DpsState>, registrationId: string): number {
  return state.enrollments.findIndex((enrollment) => sameId(enrollment.registrationId, registrationId));
}

export function findRegistrationIndex(state: Readonly<DpsState>, registrationId: string): number {
  return state.registrations.findIndex((registration) => sameId(registration.registrationId, registrationId));
}

export function findGroupIndex(state: Readonly<DpsState>, enrollmentGroupId: string): number {
  return state.enrollmentGroups.findIndex((group) => sameId(group.enrollmentGroupId, enrollmentGroupId));
}

export function registrationsOfGroup(state: Readonly<DpsState>, enrollmentGroupId: string): StoredRegistration[] {
  return state.registrations.filter((registration) =>
    registration.enrollmentGroupId !== undefined && sameId(registration.enrollmentGroupId, enrollmentGroupId));
}

/** A registration record as the service answers it, without what the sandbox keeps for itself. */
export function renderRegistration(registration: StoredRegistration): DeviceRegistrationState {
  const { enrollmentGroupId: _group, ...state } = registration;
  return state;
}

/** The registration records of individual enrollments by lower-case registration id, for rendering many enrollments. */
export function individualRegistrations(state: Readonly<DpsState>): ReadonlyMap<string, StoredRegistration> {
  return new Map(state.registrations
    .filter((registration) => registration.enrollmentGroupId === undefined)
    .map((registration) => [registration.registrationId.toLowerCase(), registration]));
}

/**
 * An individual enrollment as the service answers it: with the current state of its
 * registration record, when the device has registered (and the record was not deleted).
 */
export function renderEnrollment(registrations: ReadonlyMap<string, StoredRegistration>, enrollment: IndividualEnrollment): Record<string, unknown> {
  const registration = registrations.get(enrollment.registrationId.toLowerCase());
  const registrationState = registration ? renderRegistration(registration) : undefined;
  const { registrationId, deviceId, ...rest } = enrollment;
  return { registrationId, ...(deviceId !== undefined && { deviceId }), ...(registrationState && { registrationState }), ...rest };
}
