import type { Tenant } from '../tenant';

/** A role assignment, as the API returns it: a role id and, in an organization app, the organization. */
export interface RoleAssignment {
  role: string;
  organization?: string;
}

/** An app user of one of the three types of the 2022-07-31 API (the spec's `type` discriminator). */
export type IotCentralUser =
  | { id: string; type: 'email'; email: string; roles: RoleAssignment[] }
  | { id: string; type: 'servicePrincipal' | 'adGroup'; objectId: string; tenantId: string; roles: RoleAssignment[] };

export interface IotCentralRole {
  id: string;
  displayName: string;
}

/** A device with its property values, which the API serves separately under `/properties`. */
export interface IotCentralDevice {
  id: string;
  etag: string;
  displayName: string;
  template: string;
  enabled: boolean;
  provisioned: boolean;
  simulated: boolean;
  organizations?: string[];
  properties: Record<string, unknown>;
}

/**
 * An e-mail address in an alert rule's e-mail action. The 2022-07-31 API has no rules
 * resource: this is state a person sees only in the app, and the sandbox never serves it.
 */
export interface AlertRuleEmail {
  rule: string;
  email: string;
}

/** Everything the IoT Central sandbox persists, in the order the API lists things. */
export interface IotCentralState {
  users: IotCentralUser[];
  roles: IotCentralRole[];
  devices: IotCentralDevice[];
  alertRuleEmails: AlertRuleEmail[];
}

type SeedDevice = Omit<IotCentralDevice, 'etag'> & { etag?: string };

/** The state of a freshly seeded app: tenant.json's `iotCentral` section. */
export function seedIotCentralState(tenant: Tenant): IotCentralState {
  const section = tenant.iotCentral as unknown as {
    users: IotCentralUser[];
    roles: IotCentralRole[];
    devices: SeedDevice[];
    alertRuleEmails: AlertRuleEmail[];
  };
  return {
    users: structuredClone(section.users),
    roles: structuredClone(section.roles),
    devices: section.devices.map((device) => ({ ...structuredClone(device), etag: device.etag ?? deviceEtag(device.id, 1) })),
    alertRuleEmails: structuredClone(section.alertRuleEmails),
  };
}

/** An opaque etag like IoT Central's (base64 of a JSON header/data pair). */
export function deviceEtag(deviceId: string, version: number): string {
  return Buffer.from(JSON.stringify({ header: `"${deviceId}-${version}"`, data: `"${version}"` })).toString('base64url');
}
